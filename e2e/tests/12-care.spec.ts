import { readFileSync } from 'node:fs';
import { type Browser, type BrowserContextOptions, devices, expect, type Locator, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin, openCommunity, openFromMenu } from './helpers';

// Care (心愿驿站 and 结对帮扶), as the people in it see it: the grid worker raises a child's wish
// for a household of their grid, the staff put it on the wall, a resident reads it there without
// learning whose it is, a volunteer claims it from her phone, calls the contact, fulfils it with a
// photo, and the grid worker confirms and thanks her on the wall; a party member visits the
// households she is paired with and logs the visits from her phone; the grid worker sees which
// households of the grid are paired and visited on time and pairs one that waits (a known bug
// keeps that last step from working: see its test); the staff read the numbers and take them
// away as a spreadsheet. Each person has a browser of their own. The server is shared with the
// other files, so what is written is made unique to this run.

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP: BrowserContextOptions = { ...devices['Desktop Chrome'] };
/** A 1×1 PNG, as a photo from the phone. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** Another 1×1 PNG (an orange pixel): a photo of the wish fulfilled is not the photo of the wish. */
const PNG_1X1_ORANGE = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGO4YKAAAAL0ASGobe4tAAAAAElFTkSuQmCC';
const png = (name: string, base64 = PNG_1X1) => ({ name, mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') });

/** The grid worker of 第一网格 (G01): 马建国, whose phone is the contact of the wishes he raises. */
const GRID_WORKER = '马建国';
const GRID_WORKER_PHONE = '13909311001';

/** A tag that makes what a test writes unique within one run of the suite. */
const run = Date.now().toString(36).toUpperCase();
let serial = 0;
const tag = () => `E2E-${run}-${++serial}`;

/** The page fits a phone: nothing makes it wider than the viewport. */
async function expectNoSidewaysScroll(page: Page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w, `${new URL(page.url()).pathname} is ${w}px wide in a 360px viewport`).toBeLessThanOrEqual(360);
}

/** A browser of one's own, signed in through the login form (01-login checks those pages). */
async function signedIn(browser: Browser, shared: BrowserContextOptions, device: BrowserContextOptions, username: string) {
  const context = await browser.newContext({ ...shared, ...device });
  const page = await context.newPage();
  await page.goto('/login');
  await fillLogin(page, username, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  return page;
}

/** Checks the page for accessibility and, on a phone, that it fits. */
async function checked(page: Page, { phone = false } = {}) {
  await checkA11y(page);
  if (phone) {
    await expectNoSidewaysScroll(page);
  }
}

/** The value beside a label in a page's facts. */
function fact(page: Page, label: string): Locator {
  return page.locator('dl.facts dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
}

/** A wish's status badge, in its heading. */
function wishStatus(page: Page): Locator {
  return page.locator('#wish-status');
}

/** A section of a page, by its heading. */
function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name, exact: true });
}

/** Opens a page of the care module from the main navigation. */
async function fromNav(page: Page, link: '心愿驿站' | '我的结对' | '结对帮扶' | '帮扶报表', { phone = false } = {}) {
  await openFromMenu(page, link);
  const where = {
    心愿驿站: [/\/care\/wishes(\?community=\d+)?$/, '心愿墙'],
    我的结对: [/\/care$/, '我的结对户'],
    结对帮扶: [/\/care\/coverage(\?community=\d+)?$/, '结对帮扶覆盖'],
    帮扶报表: [/\/care\/reports(\?community=\d+)?$/, '帮扶报表'],
  } as const;
  const [url, heading] = where[link];
  await expect(page).toHaveURL(url);
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
  await checked(page, { phone });
}

/** A day as `YYYY-MM-DD`, some days after another. */
function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The volunteer's hours of service on her own page (one decimal). */
async function hoursOf(page: Page): Promise<number> {
  await page.goto('/volunteers');
  await expect(page.getByRole('heading', { level: 1, name: '我的志愿服务' })).toBeVisible();
  const h = Number.parseFloat(((await page.getByTestId('my-hours').textContent()) ?? '').trim());
  expect(Number.isNaN(h)).toBe(false);
  return h;
}

/** The figures of the coverage page's summary. */
async function coverageSummary(page: Page): Promise<{ households: number; paired: number; onTime: number }> {
  const text = ((await page.locator('#coverage-summary').textContent()) ?? '').trim();
  const m = text.match(/^困难群体户 (\d+) · 已结对 (\d+) · 按时走访 (\d+)$/);
  expect(m, `the summary "${text}"`).not.toBeNull();
  return { households: Number(m![1]), paired: Number(m![2]), onTime: Number(m![3]) };
}

/**
 * Makes sure the coverage page suggests carers. The demo's carers of 第一网格 look after some
 * twenty households each, over the community's suggested five (每位结对人建议户数上限), so with
 * the setting as it comes no one is suggested: the community's admin raises it, as a community
 * would. Returns what puts the setting back.
 */
async function ensureSuggestions(browser: Browser, shared: BrowserContextOptions, grid: Page): Promise<() => Promise<void>> {
  if ((await grid.locator('#suggestions').count()) > 0) {
    return async () => {};
  }
  test.info().annotations.push({
    type: 'app',
    description:
      '/care/coverage: households wait (未结对) but no 建议结对 is shown with the demo as loaded: every carer of 第一网格 has 20+ households, over 每位结对人建议户数上限 = 5; the admin raises it to 40 for this test',
  });
  const admin = await signedIn(browser, shared, DESKTOP, 'xlg.admin');
  const capacity = async (value: string) => {
    await openCommunity(admin);
    const form = admin.locator('form[action$="/settings"]');
    const field = form.getByLabel('每位结对人建议户数上限');
    const was = await field.inputValue();
    await field.fill(value);
    await form.getByRole('button', { name: '保存' }).click();
    await expect(admin).toHaveURL(/\/structure\/communities\/\d+(#h-module-settings)?$/);
    await expect(admin.locator('form[action$="/settings"]').getByLabel('每位结对人建议户数上限')).toHaveValue(value);
    return was;
  };
  const was = await capacity('40');
  await grid.reload();
  await expect(grid.locator('#suggestions')).toBeVisible();
  return async () => {
    await capacity(was);
    await admin.context().close();
  };
}

/** The households that wait for a carer on the coverage page. */
function unpairedRows(page: Page): Locator {
  return page.locator('#coverage tbody tr[data-household][data-state="unpaired"]');
}

/** A suggestion: the household's address and the carer suggested. */
async function suggestion(item: Locator): Promise<{ address: string; carer: string }> {
  const [address, carer] = ((await item.textContent()) ?? '')
    .replace(/结对\s*$/, '')
    .split('→')
    .map((s) => s.trim());
  return { address, carer };
}

test('a child’s wish: the grid worker raises it for a household, the staff put it on the wall, a volunteer claims and fulfils it from her phone, the grid worker confirms and thanks her', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(240_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const grid = await signedIn(browser, shared, DESKTOP, 'grid1');
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');
  const resident = await signedIn(browser, shared, PHONE, 'resident1');
  const volunteer = await signedIn(browser, shared, PHONE, 'volunteer1');

  const title = `${tag()} 课外读物和台灯`;
  const body = '三年级小学生，晚上写作业的台灯坏了，想要一盏护眼台灯和几本课外读物。';
  const thanks = `${tag()} 孩子每天晚上都在新台灯下读书，谢谢志愿者！`;

  // A household of the grid worker's grid (not 杨奶奶's own), from his coverage page: its number,
  // its address and the names of its people, none of which may reach the wall.
  let household = '';
  let address = '';
  let names: string[] = [];
  await test.step('the grid worker finds a household of his grid on his coverage page', async () => {
    await grid.goto('/care/coverage');
    await expect(grid.getByRole('heading', { level: 1, name: '结对帮扶覆盖' })).toBeVisible();
    const row = grid.locator('#coverage tr[data-household]').filter({ hasNotText: '杨秀兰' }).first();
    household = (await row.getAttribute('data-household')) ?? '';
    expect(household).toMatch(/^\d+$/);
    address = ((await row.locator('td').nth(0).textContent()) ?? '').trim();
    expect(address).not.toBe('');
    // 人员与群体: 「name（group、group）」 separated by 「；」.
    names = ((await row.locator('td').nth(1).textContent()) ?? '')
      .split('；')
      .map((p) => p.replace(/（.*$/, '').trim())
      .filter((n) => n !== '');
    expect(names.length).toBeGreaterThan(0);
  });

  let href = '';
  await test.step('the grid worker raises the wish: a care group in the text is refused, a clean text with a photo is taken', async () => {
    await fromNav(grid, '心愿驿站');
    const raise = region(grid, '许一个心愿');
    // The hint tells what not to write.
    await expect(raise.locator('p.hint')).toContainText('不要写姓名、门牌号或困难群体类别');
    const fill = async (text: string) => {
      await raise.getByLabel('代为许愿的户（户编号，网格员填写）').fill(household);
      await raise.getByLabel('类别').selectOption({ label: '学习用品' });
      await raise.getByLabel('心愿标题').fill(title);
      await raise.getByLabel('心愿内容').fill(text);
      await raise.getByLabel('估计价值（元）').fill('120');
      await raise.getByLabel('联系人', { exact: true }).fill(GRID_WORKER);
      await raise.getByLabel('联系电话').fill(GRID_WORKER_PHONE);
    };

    // "A left-behind child" says who wished: refused, with the word to take out.
    await fill(body.replace('三年级小学生', '三年级的留守儿童'));
    await raise.getByRole('button', { name: '提交心愿' }).click();
    await expect(grid).toHaveURL(/\/care\/wishes$/);
    const bodyField = region(grid, '许一个心愿').getByLabel('心愿内容');
    await expect(bodyField).toHaveAttribute('aria-invalid', 'true');
    await expect(grid.locator('#wish-body-e')).toHaveText('公开的心愿内容不能让人认出许愿人或这户人家，请删去其中的困难群体类别。');
    // What was typed is kept, for the grid worker to rewrite.
    await expect(region(grid, '许一个心愿').getByLabel('心愿标题')).toHaveValue(title);
    await expect(region(grid, '许一个心愿').getByLabel('代为许愿的户（户编号，网格员填写）')).toHaveValue(household);
    await checked(grid);

    // The wish itself, and a photo of the broken lamp.
    await fill(body);
    await region(grid, '许一个心愿').getByLabel(/^照片/).setInputFiles(png('lamp.png'));
    await region(grid, '许一个心愿').getByRole('button', { name: '提交心愿' }).click();
    await expect(grid).toHaveURL(/\/care\/wishes\/\d+$/);
    href = new URL(grid.url()).pathname;
    await expect(grid.getByRole('heading', { level: 1 })).toContainText(title);
    await expect(wishStatus(grid)).toHaveText('待审核');
    await expect(grid.locator('#wish-body')).toHaveText(body);
    await expect(fact(grid, '类别')).toHaveText('学习用品');
    await expect(fact(grid, '提交人')).toHaveText(GRID_WORKER);
    const photo = grid.getByRole('img', { name: '照片 1' });
    await expect(photo).toBeVisible();
    expect(await photo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
    await checked(grid);
  });

  const wishId = href.split('/').pop()!;

  await test.step('the staff vet it onto the wall', async () => {
    await fromNav(staff, '心愿驿站');
    await staff.locator('#to-vet').getByRole('link', { name: title }).click();
    await expect(staff).toHaveURL(new RegExp(`${href}$`));
    await expect(wishStatus(staff)).toHaveText('待审核');
    await checked(staff);
    await region(staff, '审核心愿').getByRole('button', { name: '通过并上墙' }).click();
    await expect(staff).toHaveURL(new RegExp(`${href}$`));
    await expect(wishStatus(staff)).toHaveText('心愿墙');
    await expect(region(staff, '审核心愿')).toHaveCount(0);
    await checked(staff);
    // Off the list waiting for vetting.
    await staff.goto('/care/wishes');
    await expect(staff.locator('#to-vet').getByRole('link', { name: title })).toHaveCount(0);
    await expect(staff.locator(`#wall li[data-wish="${wishId}"]`)).toContainText(title);
  });

  /** Nothing of whose wish it is: the household, its people, the contact, who raised it. */
  const expectAnonymous = async (where: Locator) => {
    await expect(where).not.toContainText(address);
    for (const n of names) {
      await expect(where).not.toContainText(n);
    }
    await expect(where).not.toContainText(GRID_WORKER_PHONE);
    await expect(where).not.toContainText(GRID_WORKER);
  };

  await test.step('the resident reads it on the wall from her phone, without learning whose it is', async () => {
    await fromNav(resident, '心愿驿站', { phone: true });
    const item = resident.locator(`#wall li[data-wish="${wishId}"]`);
    await expect(item).toContainText(title);
    await expect(item.locator('.chip')).toHaveText('心愿墙');
    await expect(item).toContainText('学习用品 · 约 120 元');
    await expectAnonymous(resident.locator('#wall'));
    // She raises wishes for herself only: no household to name.
    await expect(region(resident, '许一个心愿').getByLabel(/^代为许愿的户/)).toHaveCount(0);

    await item.getByRole('link', { name: title }).click();
    await expect(resident).toHaveURL(new RegExp(`${href}$`));
    await expect(wishStatus(resident)).toHaveText('心愿墙');
    await expect(resident.locator('#wish-body')).toHaveText(body);
    await expect(resident.getByRole('img', { name: '照片 1' })).toBeVisible();
    await expectAnonymous(resident.locator('main'));
    await expect(fact(resident, '提交人')).toHaveCount(0);
    await expect(resident.locator('#steps')).toHaveCount(0);
    // A resident does not claim, and has no contact to ask for.
    await expect(region(resident, '认领这个心愿')).toHaveCount(0);
    await expect(resident.getByRole('button', { name: '查看联系方式' })).toHaveCount(0);
    await checked(resident, { phone: true });
  });

  const hoursBefore = await hoursOf(volunteer);

  await test.step('the volunteer claims it from her phone and asks for the contact', async () => {
    await fromNav(volunteer, '心愿驿站', { phone: true });
    await volunteer.locator(`#wall li[data-wish="${wishId}"]`).getByRole('link', { name: title }).click();
    await expect(volunteer).toHaveURL(new RegExp(`${href}$`));
    await expectAnonymous(volunteer.locator('main'));
    await checked(volunteer, { phone: true });
    const claim = region(volunteer, '认领这个心愿');
    await claim.getByLabel('认领身份').selectOption({ label: '志愿者' });
    await claim.getByRole('button', { name: '认领', exact: true }).click();
    await expect(volunteer).toHaveURL(new RegExp(`${href}$`));
    await expect(volunteer.getByRole('alert')).toHaveCount(0);
    await expect(wishStatus(volunteer)).toHaveText('已认领');
    await expect(volunteer.locator('#claimant')).toHaveText('刘洋（志愿者）');
    await expect(fact(volunteer, '请在此前完成')).toHaveText(/^\d{4}-\d{2}-\d{2}/);
    await expect(region(volunteer, '认领这个心愿')).toHaveCount(0);
    await checked(volunteer, { phone: true });

    // The contact is given on request only.
    const yours = region(volunteer, '您的认领');
    await expect(volunteer.locator('#contact')).toHaveCount(0);
    await yours.getByRole('button', { name: '查看联系方式' }).click();
    await expect(volunteer.locator('#contact')).toHaveText(`联系人：${GRID_WORKER} · ${GRID_WORKER_PHONE}`);
    await expect(volunteer.locator('#contact').getByRole('link', { name: GRID_WORKER_PHONE })).toHaveAttribute('href', `tel:${GRID_WORKER_PHONE}`);
    await checked(volunteer, { phone: true });

    // On the wall, claimed, by her; and among her claims.
    await fromNav(volunteer, '心愿驿站', { phone: true });
    const item = volunteer.locator(`#wall li[data-wish="${wishId}"]`);
    await expect(item.locator('.chip')).toHaveText('已认领');
    await expect(item).toContainText('认领人 刘洋');
    await expect(volunteer.locator('#my-claims').getByRole('link', { name: title })).toBeVisible();
  });

  const note = '买了一盏护眼台灯和五本课外读物，送到了家里。';
  await test.step('the volunteer fulfils it: a text file is no photo, a PNG is', async () => {
    await volunteer.goto(href);
    const yours = region(volunteer, '您的认领');
    await yours.getByLabel('圆梦说明').fill(note);
    await yours.getByLabel(/^服务时长/).fill('45');
    await yours.getByLabel(/^圆梦照片/).setInputFiles({ name: 'receipt.txt', mimeType: 'text/plain', buffer: Buffer.from('台灯 1 盏，课外读物 5 本\n', 'utf8') });
    await yours.getByRole('button', { name: '已圆梦，提交凭证' }).click();
    await expect(wishStatus(volunteer)).toHaveText('已认领');
    const photos = region(volunteer, '您的认领').getByLabel(/^圆梦照片/);
    await expect(photos).toHaveAttribute('aria-invalid', 'true');
    await expect(region(volunteer, '您的认领').locator('.field-error')).toHaveText('请上传 PNG 或 JPEG 图片。');
    // What she typed is kept.
    await expect(region(volunteer, '您的认领').getByLabel('圆梦说明')).toHaveValue(note);
    await expect(region(volunteer, '您的认领').getByLabel(/^服务时长/)).toHaveValue('45');
    await checked(volunteer, { phone: true });

    await photos.setInputFiles(png('done.png', PNG_1X1_ORANGE));
    await region(volunteer, '您的认领').getByRole('button', { name: '已圆梦，提交凭证' }).click();
    await expect(volunteer).toHaveURL(new RegExp(`${href}$`));
    await expect(wishStatus(volunteer)).toHaveText('已圆梦待确认');
    const proof = region(volunteer, '圆梦凭证');
    await expect(proof).toContainText(note);
    await expect(proof.getByRole('img', { name: '圆梦照片 1' })).toBeVisible();
    await expect(volunteer.getByRole('button', { name: '已圆梦，提交凭证' })).toHaveCount(0);
    await checked(volunteer, { phone: true });
  });

  await test.step('the grid worker confirms it and thanks her on the wall', async () => {
    await grid.goto(href);
    await expect(wishStatus(grid)).toHaveText('已圆梦待确认');
    await expect(region(grid, '圆梦凭证')).toContainText(note);
    await checked(grid);
    await region(grid, '确认圆梦').getByRole('button', { name: '确认已实现' }).click();
    await expect(grid).toHaveURL(new RegExp(`${href}$`));
    await expect(wishStatus(grid)).toHaveText('已确认');
    await checked(grid);
    const thank = region(grid, '致谢');
    await thank.getByLabel('感谢', { exact: true }).fill(thanks);
    await thank.getByRole('button', { name: '发送感谢' }).click();
    await expect(grid).toHaveURL(new RegExp(`${href}$`));
    await expect(grid.getByRole('alert')).toHaveCount(0);
    await expect(wishStatus(grid)).toHaveText('已致谢');
    await expect(grid.locator('#thanks')).toHaveText(thanks);
    await expect(region(grid, '致谢')).toHaveCount(0);
    // The history, for those who speak for the wisher.
    const steps = grid.locator('#steps li');
    await expect(steps).toHaveCount(6);
    await expect(steps.nth(0)).toContainText(`${GRID_WORKER} · 提交心愿`);
    await expect(steps.nth(1)).toContainText('审核通过');
    await expect(steps.nth(2)).toContainText('刘洋 · 认领');
    await expect(steps.nth(3)).toContainText(`刘洋 · 圆梦：${note}`);
    await expect(steps.nth(4)).toContainText(`${GRID_WORKER} · 确认`);
    await expect(steps.nth(5)).toContainText(`${GRID_WORKER} · 致谢：${thanks}`);
    await checked(grid);
  });

  await test.step('the wall shows the thanks; the volunteer is credited her 45 minutes', async () => {
    await resident.goto('/care/wishes');
    const item = resident.locator(`#wall li[data-wish="${wishId}"]`);
    await expect(item.locator('.chip')).toHaveText('已致谢');
    await expect(item).toContainText(`感谢：${thanks}`);
    await expectAnonymous(resident.locator('#wall'));
    await checked(resident, { phone: true });
    await item.getByRole('link', { name: title }).click();
    await expect(wishStatus(resident)).toHaveText('已致谢');
    await expect(resident.locator('#thanks')).toHaveText(thanks);
    await expectAnonymous(resident.locator('main'));
    await checked(resident, { phone: true });

    // 45 minutes are 0.75 hours; the page prints one decimal.
    const gained = (await hoursOf(volunteer)) - hoursBefore;
    expect(gained).toBeGreaterThanOrEqual(0.65);
    expect(gained).toBeLessThanOrEqual(0.85);
  });

  for (const p of [grid, staff, resident, volunteer]) {
    await p.context().close();
  }
});

test('a party member logs her visits from her phone: the next visit moves on, a person who cannot be reached raises the alarm', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(120_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const carer = await signedIn(browser, shared, PHONE, 'party1');

  await fromNav(carer, '我的结对', { phone: true });
  const households = carer.locator('#my-households li[data-pairing]');
  expect(await households.count()).toBeGreaterThan(1);
  // The visit due first comes first.
  const states = await households.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-state')));
  const rank = { overdue: 0, due_soon: 1, on_time: 2 } as Record<string, number>;
  expect(states.map((s) => rank[s ?? ''])).toEqual([...states.map((s) => rank[s ?? ''])].sort((a, b) => a - b));
  const onTime = carer.locator('#my-households li[data-pairing][data-state="on_time"]');
  expect(await onTime.count()).toBeGreaterThan(1);

  let today = '';
  const first = onTime.first();
  const firstId = (await first.getAttribute('data-pairing'))!;
  await test.step('she logs a visit she made today: met, how the person is and what they need', async () => {
    await first.getByRole('link').click();
    await expect(carer).toHaveURL(new RegExp(`/care/pairings/${firstId}$`));
    await checked(carer, { phone: true });
    // The household's people, with their care groups, for her eyes.
    await expect(carer.locator('#members li').first()).toBeVisible();
    await expect(carer.locator('#members li .badge').first()).not.toBeEmpty();
    await expect(fact(carer, '结对人')).toContainText('赵红梅（党员）');
    const dueBefore = ((await carer.locator('#due-on').textContent()) ?? '').trim();
    const interval = Number.parseInt((await fact(carer, '走访周期').textContent()) ?? '', 10);
    expect(interval).toBeGreaterThan(0);

    const log = region(carer, '登记走访');
    today = await log.getByLabel('走访日期').inputValue();
    expect(today).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(dueBefore < addDays(today, interval), `${dueBefore} is before ${addDays(today, interval)}`).toBe(true);
    await log.getByLabel('走访结果').selectOption({ label: '见到本人' });
    await log.getByLabel('身体与生活状况').fill('精神很好，腿脚有些不便，冰箱里吃的充足。');
    await log.getByLabel('发现的需求').fill('卫生间需要装一个扶手。');
    await log.getByLabel('后续跟进').fill('联系社区的助残志愿者上门安装。');
    await log.getByRole('button', { name: '保存走访记录' }).click();
    await expect(carer).toHaveURL(new RegExp(`/care/pairings/${firstId}#v\\d+$`));
    await expect(carer.getByRole('alert')).toHaveCount(0);
    const visitId = new URL(carer.url()).hash.slice(1);
    const visit = carer.locator(`#visits li#${visitId}`);
    await expect(visit).toContainText(`${today} · 赵红梅 · 见到本人`);
    await expect(visit).toContainText('身体与生活状况：精神很好，腿脚有些不便，冰箱里吃的充足。');
    await expect(visit).toContainText('发现的需求：卫生间需要装一个扶手。');
    await expect(visit).toContainText('后续跟进：联系社区的助残志愿者上门安装。');
    // Newest first.
    await expect(carer.locator('#visits li').first()).toHaveAttribute('id', visitId);
    // A need found may go on as an appeal.
    await expect(visit.getByRole('button', { name: '转为诉求' })).toBeVisible();
    // The next visit is a full interval from today.
    await expect(carer.locator('#due-on')).toHaveText(addDays(today, interval));
    await expect(carer.locator('#visit-state')).toHaveText('按时');
    await checked(carer, { phone: true });

    // Her list says so too.
    await fromNav(carer, '我的结对', { phone: true });
    const line = carer.locator(`#my-households li[data-pairing="${firstId}"]`);
    await expect(line).toHaveAttribute('data-state', 'on_time');
    await expect(line).toContainText(`下次走访 ${addDays(today, interval)} · 上次走访 ${today}`);
  });

  await test.step('at another household no one answers: the grid worker and the community are alerted', async () => {
    // One of her households that has had no alert today (the demo's unreachable visit is today).
    const other = onTime.last();
    const otherId = (await other.getAttribute('data-pairing'))!;
    expect(otherId).not.toBe(firstId);
    await other.getByRole('link').click();
    await expect(carer).toHaveURL(new RegExp(`/care/pairings/${otherId}$`));
    await checked(carer, { phone: true });
    const todays = carer.locator('#alerts li', { hasText: '无法联系本人' }).filter({ hasText: today });
    await expect(todays).toHaveCount(0);
    const dueBefore = ((await carer.locator('#due-on').textContent()) ?? '').trim();

    const log = region(carer, '登记走访');
    await log.getByLabel('走访结果').selectOption({ label: '无法联系' });
    await log.getByLabel('身体与生活状况').fill('敲门无人应答，电话三次未接通，邻居说两天没见到人。');
    await log.getByRole('button', { name: '保存走访记录' }).click();
    await expect(carer).toHaveURL(new RegExp(`/care/pairings/${otherId}#v\\d+$`));
    await expect(carer.getByRole('alert')).toHaveCount(0);
    const visitId = new URL(carer.url()).hash.slice(1);
    await expect(carer.locator(`#visits li#${visitId}`)).toContainText(`${today} · 赵红梅 · 无法联系`);
    // A visit that did not reach the person does not count: the due day stays.
    await expect(carer.locator('#due-on')).toHaveText(dueBefore);
    // Both tiers are told at once.
    const alerts = region(carer, '提醒记录');
    await expect(alerts).toBeVisible();
    await expect(todays).toHaveCount(2);
    await expect(todays.filter({ hasText: '网格员 · 无法联系本人' })).toHaveCount(1);
    await expect(todays.filter({ hasText: '社区 · 无法联系本人' })).toHaveCount(1);
    await checked(carer, { phone: true });
  });

  await carer.context().close();
});

test('the grid worker sees the coverage of his grid: who is paired and visited on time, who waits, and whom to pair them with', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(120_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const grid = await signedIn(browser, shared, DESKTOP, 'grid1');

  await fromNav(grid, '结对帮扶');
  await expect(grid.locator('#coverage thead th')).toHaveText(['住址', '人员与群体', '结对人', '状态']);
  const summary = await coverageSummary(grid);
  await expect(grid.locator('#coverage tbody tr[data-household]')).toHaveCount(summary.households);
  // On time: a carer's next visit is not past due.
  await expect(grid.locator('#coverage tbody tr[data-state="on_time"], #coverage tbody tr[data-state="due_soon"]')).toHaveCount(summary.onTime);
  // Households of his grid only: each row is a household of 第一网格, with its people's care groups.
  await expect(grid.locator('#coverage tbody tr[data-household]').first().locator('td').nth(1)).toHaveText(/（.+）/);
  // Some wait for a carer.
  const unpaired = unpairedRows(grid);
  expect(await unpaired.count()).toBeGreaterThan(0);
  await expect(unpaired).toHaveCount(summary.households - summary.paired);
  for (const row of await unpaired.all()) {
    await expect(row.locator('.chip')).toHaveText('未结对');
    await expect(row.locator('td').nth(2)).toHaveText('');
  }

  const restore = await ensureSuggestions(browser, shared, grid);
  try {
    const suggestions = region(grid, '建议结对').locator('#suggestions li');
    expect(await suggestions.count()).toBeGreaterThan(0);
    await checked(grid);
    // Each suggestion is a household that waits, with a carer of the grid.
    const carers = ((await grid.locator('#pair-carer option').allTextContents()) ?? []).map((t) => t.replace(/（.*$/, '').trim());
    for (const item of await suggestions.all()) {
      const { address, carer } = await suggestion(item);
      const row = unpaired.filter({ has: grid.locator('td:first-child', { hasText: new RegExp(`^${address}$`) }) });
      await expect(row, `the suggested ${address} waits`).toHaveCount(1);
      await expect(item.locator('input[name="household"]')).toHaveValue((await row.getAttribute('data-household'))!);
      expect(carers).toContain(carer);
      await expect(item.getByRole('button', { name: '结对' })).toBeVisible();
    }
    // The form to pair any household with any carer, each with the households they have.
    const pair = region(grid, '新建结对');
    await expect(pair.getByLabel('户编号')).toBeVisible();
    await expect(pair.getByLabel('结对人').locator('option').filter({ hasText: '马建国' })).toHaveText(/^马建国（已结对户数 \d+）$/);
  } finally {
    await restore();
  }

  await grid.context().close();
});

test('the grid worker takes a suggestion and lands on the new pairing', async ({ browser, baseURL, locale, timezoneId }) => {
  test.setTimeout(120_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const grid = await signedIn(browser, shared, DESKTOP, 'grid1');

  await fromNav(grid, '结对帮扶');
  const before = await coverageSummary(grid);
  const restore = await ensureSuggestions(browser, shared, grid);
  try {
    const first = region(grid, '建议结对').locator('#suggestions li').first();
    const { address, carer } = await suggestion(first);
    const household = (await first.locator('input[name="household"]').inputValue()) ?? '';
    expect(household).toMatch(/^\d+$/);

    await first.getByRole('button', { name: '结对' }).click();
    await expect(grid.getByRole('alert')).toHaveCount(0);
    await expect(grid).toHaveURL(/\/care\/pairings\/\d+$/);
    const pairingId = new URL(grid.url()).pathname.split('/').pop()!;
    await expect(grid.getByRole('heading', { level: 1 })).toContainText(address);
    await expect(fact(grid, '结对人')).toContainText(carer);
    await expect(grid.locator('#visits')).toHaveText('还没有走访记录。');
    await expect(grid.locator('#visit-state')).toHaveText('按时');
    // The grid worker may end it.
    await expect(region(grid, '结束结对')).toBeVisible();
    await checked(grid);

    // Back on the coverage page the household is paired, with its carer, and no longer suggested.
    await grid.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '结对帮扶覆盖' }).click();
    await expect(grid).toHaveURL(/\/care\/coverage(\?community=\d+)?$/);
    expect(await coverageSummary(grid)).toEqual({ households: before.households, paired: before.paired + 1, onTime: before.onTime + 1 });
    const paired = grid.locator(`#coverage tr[data-household="${household}"]`);
    await expect(paired).toHaveAttribute('data-state', 'on_time');
    await expect(paired.getByRole('link', { name: carer })).toHaveAttribute('href', `/care/pairings/${pairingId}`);
    await expect(grid.locator(`#suggestions input[name="household"][value="${household}"]`)).toHaveCount(0);
    await checked(grid);
  } finally {
    await restore();
  }

  await grid.context().close();
});

test('the staff read the care reports and export them as a spreadsheet', async ({ browser, baseURL, locale, timezoneId }) => {
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');

  await fromNav(staff, '帮扶报表');
  const header = ['名称', '困难群体户', '已结对', '结对率', '按时走访', '按时走访率'];
  for (const [id, heading] of [
    ['by-grid', '按网格'],
    ['by-group', '按困难群体'],
  ]) {
    await expect(region(staff, heading).locator(`table#${id}`)).toBeVisible();
    await expect(staff.locator(`#${id} thead th`)).toHaveText(header);
    await expect(staff.locator(`#${id} tbody tr`).last().locator('th')).toHaveText('合计');
  }
  // The grids add up to the total; each rate is its share of the households.
  const cells = async (row: Locator) => (await row.locator('td').allTextContents()).map((t) => t.trim());
  const gridRows = staff.locator('#by-grid tbody tr');
  const n = await gridRows.count();
  expect(n).toBeGreaterThan(1);
  const sum = [0, 0, 0];
  for (let i = 0; i < n - 1; i++) {
    const [households, paired, pairRate, onTime] = await cells(gridRows.nth(i));
    sum[0] += Number(households);
    sum[1] += Number(paired);
    sum[2] += Number(onTime);
    expect(pairRate).toBe(`${((Number(paired) * 100) / Number(households)).toFixed(1)}%`);
  }
  const total = await cells(gridRows.last());
  expect([total[0], total[1], total[3]].map(Number)).toEqual(sum);
  await expect(staff.locator('#by-grid')).toContainText('第一网格（海亮小区北）');

  const wishes = region(staff, '心愿（按类别与状态）');
  await expect(wishes.locator('#wishes thead th')).toHaveText(['类别', '待审核', '未通过', '心愿墙', '已认领', '已圆梦待确认', '已确认', '已致谢']);
  await expect(wishes.locator('#wishes tbody th[scope=row]')).toHaveText(['学习用品', '生活用品', '维修帮助', '陪伴关爱', '就业培训', '健康服务', '其他']);
  await expect(staff.locator('#fulfilment')).toHaveText(/^已圆梦 \d+( · 上墙到圆梦的中位天数 [\d.]+)?$/);
  // Numbers only: no one's name, no phone.
  await expect(staff.locator('main')).not.toContainText(/马建国|赵红梅|刘洋|杨秀兰|1\d{10}/);
  await checked(staff);

  const [download] = await Promise.all([staff.waitForEvent('download'), staff.getByRole('link', { name: '导出 Excel' }).click()]);
  expect(download.suggestedFilename()).toBe('care-XLG.xlsx');
  const path = await download.path();
  const bytes = readFileSync(path);
  expect(bytes.length).toBeGreaterThan(100);
  expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');

  await staff.context().close();
});
