import { expect, type Locator, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin, visit, openFromMenu } from './helpers';

// The residents registry (居民台账), as the people who keep it use it: on a phone, at the door.
// Every test stands alone (the server is shared, so names are made unique and nothing depends
// on another test having run).
test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

/** A tag that makes what a test writes unique within one run of the suite. */
const run = Date.now().toString(36).toUpperCase();
let serial = 0;
const unique = (label: string) => `${label} E2E-${run}-${++serial}`;

const G01 = '第一网格（海亮小区北）';
const G02 = '第二网格（海亮小区南）';

/** The columns of the resident list. */
const COL = { name: 1, address: 4, grid: 5, phone: 6, care: 7 } as const;

function cell(row: Locator, col: number): Locator {
  return row.locator(`td:nth-child(${col})`);
}

/** The page fits a phone: nothing makes it wider than the viewport (tables scroll in place). */
async function expectNoSidewaysScroll(page: Page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w, `${new URL(page.url()).pathname} is ${w}px wide in a 360px viewport`).toBeLessThanOrEqual(360);
}

/**
 * Checks the page with every <details> open (the forms folded away on it), so that one axe run
 * covers the forms too; then folds them again as they were.
 */
async function checkA11yUnfolded(page: Page) {
  await page.evaluate(() =>
    document.querySelectorAll('details:not([open])').forEach((d) => {
      d.setAttribute('open', '');
      d.setAttribute('data-e2e-opened', '');
    }),
  );
  await checkA11y(page);
  await page.evaluate(() =>
    document.querySelectorAll('details[data-e2e-opened]').forEach((d) => {
      d.removeAttribute('open');
      d.removeAttribute('data-e2e-opened');
    }),
  );
}

/**
 * Signs in through the login form. The login page and the console are checked with axe (on a
 * phone too) by 01-login and 06-mobile; here only the registry's pages are, to keep this file
 * within its time.
 */
async function signIn(page: Page, username: string) {
  await page.goto('/login');
  await fillLogin(page, username, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** Signs out with the header's button and in again as someone else. */
async function switchTo(page: Page, username: string) {
  await page.locator('form[action="/logout"] button').click();
  await expect(page).toHaveURL(/\/login$/);
  await fillLogin(page, username, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
}

/** 居民台账 from the main navigation. */
async function openRegistry(page: Page, { check = true } = {}) {
  await openFromMenu(page, '居民台账');
  await expect(page).toHaveURL(/\/registry$/);
  await expect(page.getByRole('heading', { level: 1, name: /居民台账/ })).toBeVisible();
  if (check) {
    await checkA11y(page);
  }
  await expectNoSidewaysScroll(page);
}

/** The rows of the resident list on the page. */
function residentRows(page: Page): Locator {
  return page.locator('main table tbody tr');
}

/** Submits the list's filter form and waits for the result. */
async function find(page: Page, { check = true } = {}) {
  const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/registry' && r.request().method() === 'GET');
  await page.getByRole('search').getByRole('button', { name: '查找', exact: true }).click();
  const res = await listed;
  // The form sends every field, the empty ones too (grid=&age_min=…), as browsers do.
  expect(res.status(), `${res.url()} answered ${res.status()}`).toBe(200);
  await page.waitForLoadState('load');
  if (check) {
    await checkA11y(page);
  }
}

/** The number after 共找到 on a list page. */
async function foundCount(page: Page): Promise<number> {
  const text = await page.getByText(/^共找到 \d+$/).textContent();
  return Number(text!.match(/\d+/)![0]);
}

test('a grid worker finds a resident, sees the ID masked, and reveals it only with a stated purpose', async ({ page }) => {
  const purpose = unique('核实低保申请');

  await signIn(page, 'grid1');
  await openRegistry(page);
  const first = residentRows(page).first();
  const link = cell(first, COL.name).getByRole('link');
  const name = (await link.textContent())!.trim();
  const href = (await link.getAttribute('href'))!;
  expect(href).toMatch(/^\/registry\/residents\/\d+$/);
  const residentId = href.split('/').pop()!;

  // Search by part of the name (the given name, without the surname).
  const part = name.slice(1);
  await page.getByRole('searchbox', { name: '查找居民' }).fill(part);
  await find(page);
  expect(new URL(page.url()).searchParams.get('q')).toBe(part);
  await expect(page.getByRole('searchbox', { name: '查找居民' })).toHaveValue(part);
  const rows = residentRows(page);
  expect(await rows.count()).toBeGreaterThan(0);
  for (const n of await rows.locator(`td:nth-child(${COL.name}) a`).allTextContents()) {
    expect(n).toContain(part);
  }
  // Phones in the list are masked too.
  for (const p of await rows.locator(`td:nth-child(${COL.phone})`).allTextContents()) {
    expect(p.trim()).toMatch(/^(\d{3}\*{4}\d{4})?$/);
  }
  await expectNoSidewaysScroll(page);

  await page.locator(`main a[href="${href}"]`).click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
  await checkA11yUnfolded(page);
  await expectNoSidewaysScroll(page);

  // The ID number is masked: the first six and the last four characters only.
  const details = page.getByRole('region', { name: '基本信息' });
  const masked = (await details.locator('dd.masked').first().textContent())!.trim();
  expect(masked).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
  await expect(page.locator('main')).not.toContainText(/\d{17}[\dX]/);

  // Asking to see it without saying why is refused, beside the field, in Chinese.
  const reveal = page.getByRole('region', { name: '查看完整信息' });
  await expect(reveal.getByLabel('查看哪一项')).toHaveValue('id_number');
  const refused = page.waitForResponse((r) => r.url().endsWith('/reveal') && r.request().method() === 'POST');
  await reveal.getByRole('button', { name: '查看', exact: true }).click();
  expect((await refused).status()).toBe(422);
  await page.waitForLoadState('load');
  await checkA11y(page);
  const purposeField = page.getByRole('region', { name: '查看完整信息' }).getByLabel('查看目的');
  await expect(purposeField).toHaveAttribute('aria-invalid', 'true');
  await expect(purposeField).toBeFocused();
  // The error sits in the field's own block, under its hint.
  const error = page.locator('.field', { has: page.locator('#reveal-purpose') }).locator('.field-error');
  await expect(error).toHaveText('请说明查看的目的');
  await expect(purposeField).toHaveAccessibleDescription(/请说明查看的目的/);
  await expect(page.locator('.revealed')).toHaveCount(0);
  await expect(page.locator('main')).not.toContainText(/\d{17}[\dX]/);

  // With a purpose, the whole number is shown once (and not cached).
  await purposeField.fill(purpose);
  const shown = page.waitForResponse((r) => r.url().endsWith('/reveal') && r.request().method() === 'POST');
  await page.getByRole('region', { name: '查看完整信息' }).getByRole('button', { name: '查看', exact: true }).click();
  const res = await shown;
  expect(res.status()).toBe(200);
  expect(res.headers()['cache-control']).toBe('no-store');
  await page.waitForLoadState('load');
  await checkA11y(page);
  const status = page.getByRole('status').filter({ has: page.locator('.revealed') });
  await expect(status).toContainText('证件号码');
  await expect(status).toContainText('本次查看已记录');
  const full = (await status.locator('.revealed').textContent())!.trim();
  expect(full).toMatch(/^\d{17}[\dX]$/);
  expect(full.slice(0, 6)).toBe(masked.slice(0, 6));
  expect(full.slice(-4)).toBe(masked.slice(-4));
  await expectNoSidewaysScroll(page);

  // The community admin finds the reveal, with its purpose, in the audit log — never the number.
  await switchTo(page, 'xlg.admin');
  await openFromMenu(page, '审计日志');
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await page.getByLabel('记录类型').fill('resident');
  await page.getByLabel('记录编号').fill(residentId);
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/entity=resident/);
  await checkA11y(page);
  const entry = page.getByRole('row').filter({ hasText: 'resident.reveal' }).filter({ hasText: purpose });
  await expect(entry).toHaveCount(1);
  // On a phone each row is a card whose cells say their column ("操作人 grid1"), for the eye
  // and for a screen reader alike: the cell's own text is the actor.
  await expect(entry.getByRole('cell').filter({ hasText: /^grid1$/ })).toBeVisible();
  await expect(entry).toContainText(`resident #${residentId}`);
  await entry.getByText('变更后').click();
  await expect(entry.locator('details pre')).toContainText('id_number');
  await expect(page.locator('body')).not.toContainText(full);
});

test('a grid worker logs a door visit to a household on the round', async ({ page }) => {
  const met = unique('户主本人');
  const findings = unique('老人腿脚不便，需要助餐服务');
  const followUp = unique('下周联系社区食堂');

  await signIn(page, 'grid1');
  await openRegistry(page, { check: false });
  const tools = page.getByRole('navigation', { name: '台账工具' });

  // The round: households not visited in 30 days.
  await tools.getByRole('link', { name: '待走访住户' }).click();
  await expect(page).toHaveURL(/\/registry\/visits\?community=\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: '待走访住户' })).toBeVisible();
  await page.getByLabel('多少天内未走访').fill('30');
  await page.locator('main form').getByRole('button', { name: '查找' }).click();
  await expect(page).toHaveURL(/\/registry\/visits\?community=\d+&days=30$/);
  await checkA11y(page);
  await expectNoSidewaysScroll(page);
  const dueUrl = page.url();
  const due = new Set(await page.locator('main tbody a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))));
  // A grid worker's round is only their own grid.
  for (const g of await page.locator(`main tbody td:nth-child(2)`).allTextContents()) {
    expect(g).toBe(G01);
  }

  // From the list, a household that is due (if any on the first page is).
  await page.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '居民台账' }).click();
  const addresses = await residentRows(page)
    .locator(`td:nth-child(${COL.address}) a`)
    .evaluateAll((as) => as.map((a) => a.getAttribute('href')!));
  expect(addresses.length).toBeGreaterThan(0);
  const href = addresses.find((h) => due.has(h)) ?? addresses[0];
  const wasDue = due.has(href);
  await page.locator(`main a[href="${href}"]`).first().click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.getByRole('region', { name: '家庭成员', exact: true })).toBeVisible();
  await checkA11yUnfolded(page);
  await expectNoSidewaysScroll(page);

  // An empty visit is refused: at least who was met or what was found.
  const form = page.getByRole('region', { name: '登记走访' });
  const refused = page.waitForResponse((r) => r.url().endsWith('/visits') && r.request().method() === 'POST');
  await form.getByRole('button', { name: '登记走访' }).click();
  expect((await refused).status()).toBe(422);
  await page.waitForLoadState('load');
  await checkA11y(page);
  const findingsField = page.getByRole('region', { name: '登记走访' }).getByLabel('了解到的情况');
  await expect(findingsField).toHaveAttribute('aria-invalid', 'true');
  await expect(findingsField).toHaveAccessibleDescription('请至少写下见到的人或了解到的情况');
  await expect(findingsField).toBeFocused();

  await form.getByLabel('见到的人').fill(met);
  await findingsField.fill(findings);
  await form.getByLabel('后续跟进').fill(followUp);
  await form.getByRole('button', { name: '登记走访' }).click();
  await expect(page).toHaveURL(new RegExp(`${href}#h-visits$`));
  await checkA11y(page);
  await expectNoSidewaysScroll(page);

  const logged = page.getByRole('region', { name: '走访记录' }).getByRole('listitem').filter({ hasText: met });
  await expect(logged).toHaveCount(1);
  await expect(logged).toContainText(`见到的人：${met}`);
  await expect(logged).toContainText(findings);
  await expect(logged).toContainText(`后续跟进：${followUp}`);
  await expect(logged).toContainText('马建国');
  const history = page.getByRole('region', { name: '变动记录' });
  // The history says who visited; what they found stays in the visit record.
  await expect(history.getByRole('listitem').filter({ hasText: '走访 · 马建国' }).first()).toBeVisible();
  // The form is empty again, for the next door.
  await expect(page.getByRole('region', { name: '登记走访' }).getByLabel('见到的人')).toHaveValue('');

  // The household is off the round.
  await page.goto(dueUrl);
  await expect(page.locator(`main a[href="${href}"]`)).toHaveCount(0);
  if (wasDue) {
    expect(await foundCount(page)).toBe(due.size - 1);
  }
});

test("a grid worker sees only their own grid's residents", async ({ page }) => {
  // Someone in the second grid, as the community staff see them.
  await signIn(page, 'xlg.staff');
  await openRegistry(page, { check: false });
  const all = await foundCount(page);
  await page.getByLabel('网格').selectOption({ label: G02 });
  await find(page, { check: false });
  const other = residentRows(page).first();
  await expect(cell(other, COL.grid)).toHaveText(G02);
  const otherLink = cell(other, COL.name).getByRole('link');
  const otherName = (await otherLink.textContent())!.trim();
  const otherHref = (await otherLink.getAttribute('href'))!;
  const otherHousehold = (await cell(other, COL.address).getByRole('link').getAttribute('href'))!;

  await switchTo(page, 'grid1');
  await openRegistry(page);
  // Every row is in G01, and G01 is the only grid to choose.
  const mine = await foundCount(page);
  expect(mine).toBeGreaterThan(0);
  expect(mine).toBeLessThan(all);
  const grids = await residentRows(page).locator(`td:nth-child(${COL.grid})`).allTextContents();
  expect(grids.length).toBeGreaterThan(0);
  expect(new Set(grids)).toEqual(new Set([G01]));
  await expect(page.getByLabel('网格').locator('option')).toHaveText(['全部', G01]);

  // Searching for the other grid's resident by name does not find them.
  await page.getByRole('searchbox', { name: '查找居民' }).fill(otherName);
  await find(page, { check: false });
  await expect(page.locator(`main a[href="${otherHref}"]`)).toHaveCount(0);
  for (const g of await residentRows(page).locator(`td:nth-child(${COL.grid})`).allTextContents()) {
    expect(g).toBe(G01);
  }

  // Their record and their household are not there at all: not found, not "forbidden".
  for (const path of [otherHref, otherHousehold]) {
    const res = path === otherHref ? await visit(page, path) : await page.goto(path);
    expect(res!.status(), path).toBe(404);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('出错了');
    await expect(page.getByRole('main')).toContainText('没有找到您要的内容。');
    await expect(page.getByRole('main')).not.toContainText(otherName);
  }
});

test('community staff tag a resident as living alone, find them by that group, and see the count', async ({ page }) => {
  const note = unique('子女在外地');
  await signIn(page, 'xlg.staff');
  await openRegistry(page, { check: false });

  // Someone without any care group yet.
  const rows = residentRows(page);
  const n = await rows.count();
  let row: Locator | undefined;
  for (let i = 0; i < n; i++) {
    if ((await cell(rows.nth(i), COL.care).textContent())!.trim() === '') {
      row = rows.nth(i);
      break;
    }
  }
  expect(row, 'a resident without a care group on the first page').toBeTruthy();
  const link = cell(row!, COL.name).getByRole('link');
  const name = (await link.textContent())!.trim();
  const href = (await link.getAttribute('href'))!;
  const grid = (await cell(row!, COL.grid).textContent())!.trim();

  // The numbers before.
  const tools = page.getByRole('navigation', { name: '台账工具' });
  await tools.getByRole('link', { name: '网格数据' }).click();
  await expect(page).toHaveURL(/\/registry\/numbers\?community=\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /网格数据/ })).toBeVisible();
  await checkA11y(page);
  await expectNoSidewaysScroll(page);
  const numbersUrl = page.url();
  const before = await aloneCount(page, grid);

  // Tag them.
  await page.goto(href);
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
  const tags = page.getByRole('region', { name: '特殊群体标签' });
  await expect(tags).toContainText('无特殊群体标签');
  await tags.locator('summary', { hasText: '添加标签' }).click();
  const form = tags.locator('form[action$="/tags"]');
  await form.getByLabel('特殊群体').selectOption({ label: '独居老人' });
  await form.getByLabel('说明').fill(note);
  await checkA11y(page);
  await form.getByRole('button', { name: '添加标签' }).click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await checkA11y(page);
  const tag = page.getByRole('region', { name: '特殊群体标签' }).getByRole('listitem').filter({ hasText: note });
  await expect(tag).toHaveCount(1);
  await expect(tag.locator('strong')).toHaveText('独居老人');
  await expect(tag.getByRole('button', { name: '结束' })).toBeVisible();
  await expect(
    page.getByRole('region', { name: '变动记录' }).getByRole('listitem').filter({ hasText: '添加特殊群体标签' }),
  ).not.toHaveCount(0);

  // The list, filtered by that group, has them (and only people in that group).
  await page.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '居民台账' }).first().click();
  await page.getByLabel('特殊群体', { exact: true }).selectOption({ label: '独居老人' });
  await find(page);
  expect(new URL(page.url()).searchParams.get('tag')).toBe('elderly_alone');
  await expect(page.getByLabel('特殊群体', { exact: true })).toHaveValue('elderly_alone');
  for (const c of await residentRows(page).locator(`td:nth-child(${COL.care})`).allTextContents()) {
    expect(c).toContain('独居老人');
  }
  await page.getByRole('searchbox', { name: '查找居民' }).fill(name);
  await find(page, { check: false });
  const found = residentRows(page).filter({ has: page.locator(`a[href="${href}"]`) });
  await expect(found).toHaveCount(1);
  await expect(cell(found, COL.care)).toContainText('独居老人');

  // The numbers page counts them.
  await page.goto(numbersUrl);
  expect(await aloneCount(page, grid)).toBe(before + 1);
});

/** The 独居老人 count of a grid on the numbers page. */
async function aloneCount(page: Page, grid: string): Promise<number> {
  const headers = (await page.locator('main thead th').allTextContents()).map((t) => t.trim());
  const col = headers.indexOf('独居老人');
  expect(col, `a 独居老人 column in ${headers.join(' | ')}`).toBeGreaterThan(0);
  const row = page.locator('main tbody tr.group').filter({ has: page.getByRole('link', { name: grid, exact: true }) });
  await expect(row).toHaveCount(1);
  const text = (await row.locator('th, td').nth(col).textContent())!.trim();
  expect(text).toMatch(/^\d+$/);
  return Number(text);
}

test('a resident reads their own record, asks for a correction, and reads the answer', async ({ page }) => {
  const body = unique('我的电话已换号，请更新为新号码');
  const answer = unique('已核实并更新，谢谢');

  await signIn(page, 'resident1');
  await openFromMenu(page, '我的信息');
  await expect(page).toHaveURL(/\/me\/data$/);
  await expect(page.getByRole('heading', { level: 1, name: '我的信息' })).toBeVisible();
  await checkA11y(page);
  const mine = page.getByRole('region', { name: '杨秀兰' });
  await expect(mine).toBeVisible();
  // Their own ID number is theirs to see in full.
  await expect(mine.locator('dd').filter({ hasText: /^\d{17}[\dX]$/ })).toHaveCount(1);
  await expect(mine).toContainText('独居老人');
  await expectNoSidewaysScroll(page);

  // The copy to download is their record.
  const copy = await page.request.get(
    (await mine.getByRole('link', { name: '下载我的信息（JSON）' }).getAttribute('href'))!,
  );
  expect(copy.status()).toBe(200);
  expect(copy.headers()['content-disposition']).toContain('attachment');
  expect((await copy.json()).resident.name).toBe('杨秀兰');

  // An empty request is refused beside the field.
  const ask = page.getByRole('region', { name: '申请更正或获取副本' });
  await ask.getByRole('button', { name: '提交' }).click();
  await page.waitForLoadState('load');
  await checkA11y(page);
  const bodyField = page.getByLabel('请说明需要更正的内容');
  await expect(bodyField).toHaveAttribute('aria-invalid', 'true');
  await expect(bodyField).toHaveAccessibleDescription('此项为必填项。');

  await page.getByLabel('申请类型').selectOption({ label: '更正信息' });
  await bodyField.fill(body);
  await page.getByRole('region', { name: '申请更正或获取副本' }).getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/\/me\/data$/);
  await expect(page.getByRole('status')).toHaveText('申请已提交，工作人员会尽快答复。');
  await checkA11y(page);
  const mineList = page.getByRole('region', { name: '我的申请' }).getByRole('listitem').filter({ hasText: body });
  await expect(mineList).toContainText('待处理');

  // The community staff answer it.
  await switchTo(page, 'xlg.staff');
  await openRegistry(page, { check: false });
  await page.getByRole('navigation', { name: '台账工具' }).getByRole('link', { name: '个人信息申请' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '个人信息申请' })).toBeVisible();
  await checkA11y(page);
  await expectNoSidewaysScroll(page);
  const request = page.locator('main section').filter({ hasText: body });
  await expect(request).toHaveCount(1);
  await expect(request.getByRole('heading', { level: 2 })).toContainText('杨秀兰');
  await expect(request.getByRole('heading', { level: 2 })).toContainText('更正信息');
  await expect(request.getByRole('heading', { level: 2 })).toContainText('待处理');
  // They decline it, but forget to say why: the reason is required, and the choice is kept.
  await request.getByLabel('处理结果').selectOption({ label: '不予办理' });
  const refused = page.waitForResponse((r) => r.url().endsWith('/answer') && r.request().method() === 'POST');
  await request.getByRole('button', { name: '提交' }).click();
  expect((await refused).status()).toBe(422);
  await page.waitForLoadState('load');
  await checkA11y(page);
  const again = page.locator('main section').filter({ hasText: body });
  const answerField = again.getByLabel('答复');
  await expect(again.getByRole('alert')).toBeVisible();
  await expect(answerField, 'the answer field is marked invalid').toHaveAttribute('aria-invalid', 'true');
  await expect(answerField, 'the error describes the field').toHaveAccessibleDescription('此项为必填项。');
  await expect(answerField, 'focus is on the field in error').toBeFocused();
  await expect(again.getByLabel('处理结果'), 'the chosen outcome is kept').toHaveValue('refused');

  await answerField.fill(answer);
  await again.getByRole('button', { name: '提交' }).click();
  await expect(page).toHaveURL(/\/registry\/requests$/);
  await checkA11y(page);
  const answered = page.locator('main section').filter({ hasText: body });
  await expect(answered.getByRole('heading', { level: 2 })).toContainText('不予办理');
  await expect(answered).toContainText(`答复：${answer}`);
  await expect(answered.locator('form')).toHaveCount(0);

  // The resident reads the answer.
  await switchTo(page, 'resident1');
  await page.goto('/me/data');
  const done = page.getByRole('region', { name: '我的申请' }).getByRole('listitem').filter({ hasText: body });
  await expect(done).toContainText('不予办理');
  await expect(done).toContainText(`答复：${answer}`);
});

test('the registry pages read well in English too', async ({ page }) => {
  await signIn(page, 'grid2');
  await openRegistry(page, { check: false });
  try {
    await page.getByRole('button', { name: 'English' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('heading', { level: 1, name: /Residents registry/ })).toBeVisible();
    await checkA11y(page);
    await expectNoSidewaysScroll(page);
    // Its rows are the second grid's.
    await expect(cell(residentRows(page).first(), COL.grid)).toHaveText(G02);

    await cell(residentRows(page).first(), COL.name).getByRole('link').click();
    await expect(page).toHaveURL(/\/registry\/residents\/\d+$/);
    await expect(page.getByRole('region', { name: 'Details' })).toBeVisible();
    await checkA11yUnfolded(page);
    await expectNoSidewaysScroll(page);

    // The purpose error in English; the field asked for is kept for the second try.
    const reveal = page.getByRole('region', { name: 'Show in full' });
    await reveal.getByLabel('Which field').selectOption({ label: 'Phone' });
    await reveal.getByRole('button', { name: 'Show', exact: true }).click();
    await page.waitForLoadState('load');
    await checkA11y(page);
    const purpose = page.getByRole('region', { name: 'Show in full' }).getByLabel('Purpose');
    await expect(purpose).toHaveAttribute('aria-invalid', 'true');
    await expect(
      page.getByRole('region', { name: 'Show in full' }).getByLabel('Which field'),
      'the field asked for is kept',
    ).toHaveValue('phone');
    await expect(page.locator('.field', { has: page.locator('#reveal-purpose') }).locator('.field-error')).toHaveText(
      'State the purpose',
    );

    await page.getByRole('navigation', { name: 'Location' }).getByRole('link', { name: 'Residents registry' }).click();
    await expect(page).toHaveURL(/\/registry\?community=\d+$/);
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    const household = cell(residentRows(page).first(), COL.address).getByRole('link');
    await household.click();
    await expect(page).toHaveURL(/\/registry\/households\/\d+$/);
    await checkA11yUnfolded(page);
  } finally {
    // The language is kept on the account: put it back for everyone else.
    await page.request.post('/lang', { form: { lang: 'zh-CN', back: '/' } });
  }
  await page.goto('/registry');
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
});
