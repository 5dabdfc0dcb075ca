import { type Browser, type BrowserContextOptions, devices, expect, type Locator, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin, openFromMenu } from './helpers';

// Appeals (诉求工单), the whole loop as the people in it see it: a resident raises a matter from
// a phone, the community's desk accepts and dispatches it, the property company takes it up and
// answers, the desk verifies the answer, the resident reads it and rates it, the desk files it.
// Each person has a browser of their own, as they would. The server is shared with the other
// files, so what is written is made unique to this run.

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** A 1×1 PNG, as a photo from the phone. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
/** Where the resident stands: 西柳沟, Lanzhou. */
const HERE = { latitude: 36.0611, longitude: 103.8343 };
const DESKTOP: BrowserContextOptions = { ...devices['Desktop Chrome'] };

/** A tag that makes what a test writes unique within one run of the suite. */
const run = Date.now().toString(36).toUpperCase();
let serial = 0;
const tag = () => `E2E-${run}-${++serial}`;

/** The page fits a phone: nothing makes it wider than the viewport. */
async function expectNoSidewaysScroll(page: Page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w, `${new URL(page.url()).pathname} is ${w}px wide in a 360px viewport`).toBeLessThanOrEqual(360);
}

/**
 * A browser of one's own, signed in through the login form. The login page and the home pages
 * are checked with axe by 01-login and 06-mobile; here only the appeals' pages are.
 */
async function signedIn(browser: Browser, shared: BrowserContextOptions, device: BrowserContextOptions, username: string) {
  const context = await browser.newContext({ ...shared, ...device });
  const page = await context.newPage();
  await page.goto('/login');
  await fillLogin(page, username, DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  return page;
}

/** The form of one step on the detail page, found by its hidden action. */
function stepForm(page: Page, action: string): Locator {
  return page.locator(`form:has(input[name="action"][value="${action}"])`);
}

/** The status chip in the appeal's heading. */
function status(page: Page): Locator {
  return page.getByRole('heading', { level: 1 }).locator('.chip');
}

/** The value beside a label in the appeal's facts. */
function fact(page: Page, label: string): Locator {
  return page.locator('dl.facts dt', { hasText: new RegExp(`^${label}$`) }).locator('xpath=following-sibling::dd[1]');
}

/** The timeline's entry for an action (the first one, when it was taken more than once). */
function timelineEntry(page: Page, label: string): Locator {
  return page
    .getByRole('region', { name: '办理经过' })
    .getByRole('listitem')
    .filter({ has: page.locator('strong', { hasText: new RegExp(`^${label}$`) }) });
}

/** Opens an appeal and checks the page. */
async function openAppeal(page: Page, href: string, { phone = false } = {}) {
  await page.goto(href);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(/^#\d+ 漏水渗水/);
  await checkA11y(page);
  if (phone) {
    await expectNoSidewaysScroll(page);
  }
}

/**
 * Takes a step with its form's button; the page comes back to its top, says what was done and
 * shows the new state. `fill` fills in the form's own fields first.
 */
async function takeStep(
  page: Page,
  href: string,
  action: string,
  button: string,
  then: string,
  fill?: (form: Locator) => Promise<void>,
) {
  const form = stepForm(page, action);
  await expect(form, `a form for ${action} on ${href}`).toHaveCount(1);
  if (fill) {
    await fill(form);
  }
  const posted = page.waitForResponse((r) => r.url().endsWith(`${href}/steps`) && r.request().method() === 'POST');
  await form.getByRole('button', { name: button, exact: true }).click();
  const res = await posted;
  expect(res.status(), `${action} answered ${res.status()}`).toBe(303);
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await page.waitForLoadState('load');
  await expect(page.locator('.flash[role=status]')).toContainText(button);
  await expect(status(page)).toHaveText(then);
  await expect(page.locator('[role=alert]')).toHaveCount(0);
  await checkA11y(page);
}

test('a leak raised from a phone goes round the whole loop: accepted, dispatched, answered, verified, rated, filed', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(180_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const mark = tag();
  const description = `${mark} 厨房水槽下面的水管接口漏水，地板已经泡起来了。`;
  const answer = `已更换水槽下的软管和接头，试水两小时无渗漏。${tag()}`;
  const phoneNumber = '13912345678';

  // 1. The resident raises it from her phone.
  // Her phone lets the page know where she is.
  const resident = await signedIn(
    browser,
    { ...shared, permissions: ['geolocation'], geolocation: HERE },
    PHONE,
    'resident1',
  );
  // On a phone the tab bar at the bottom holds her main entries.
  await resident.getByRole('navigation', { name: '常用' }).getByRole('link', { name: '我的诉求' }).click();
  await expect(resident).toHaveURL(/\/appeals\?view=mine$/);
  await expect(resident.getByRole('heading', { level: 1, name: '我的诉求' })).toBeVisible();
  // Her own list offers no staff queue filters.
  await expect(resident.getByRole('navigation', { name: '诉求列表' })).toHaveCount(0);
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);
  await resident.getByRole('link', { name: '我要反映' }).click();
  await expect(resident).toHaveURL(/\/appeals\/new(\?community=\d+)?$/);
  await expect(resident.getByRole('heading', { level: 1, name: '我要反映' })).toBeVisible();
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);

  const form = resident.locator('form[action="/appeals/new"]');
  // A resident raises their own: how it came and who from are for the staff at the counter.
  await expect(form.getByLabel('来源渠道')).toHaveCount(0);
  await expect(form.getByLabel('诉求人姓名')).toHaveCount(0);
  await form.getByLabel('事项类别').selectOption({ label: '漏水渗水' });
  await form.getByLabel('诉求类型').selectOption({ label: '求助' });
  // In a hurry she writes too little at first.
  await form.getByLabel('具体情况').fill('漏水');
  // Her own flat is chosen for her (her account is linked to her household).
  const unit = form.getByLabel('位置（楼栋单元）');
  await expect(unit).not.toHaveValue('');
  await form.getByLabel('详细地址或位置说明').fill('厨房');
  await form.getByLabel('联系电话').fill(phoneNumber);
  await expect(form.getByLabel('匿名反映')).not.toBeChecked();
  // A photo taken on the spot, and the point she stands on, from the phone's position.
  await form.getByLabel('照片（可选）').setInputFiles({
    name: 'leak.png',
    mimeType: 'image/png',
    buffer: Buffer.from(PNG_1X1, 'base64'),
  });
  await form.getByRole('button', { name: '使用我现在的位置' }).click();
  await expect(form.getByLabel('纬度')).toHaveValue('36.061100');
  await expect(form.getByLabel('经度')).toHaveValue('103.834300');
  // The map marks it too, and says so; the boxes fold away under the map.
  await expect(form).toContainText('已用当前位置标出，可拖动标记调整。');
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);
  await form.getByRole('button', { name: '提交', exact: true }).click();
  // Refused, and told why at the field; what she chose is all still there, the photo too.
  await expect(form.getByText('请再多写几个字，说清楚情况。')).toBeVisible();
  await expect(form.getByLabel('具体情况')).toHaveAttribute('aria-invalid', 'true');
  await expect(resident).toHaveURL(/\/appeals\/new/);
  expect(await form.getByLabel('照片（可选）').evaluate((i) => (i as HTMLInputElement).files?.length)).toBe(1);
  await expect(form.getByLabel('纬度')).toHaveValue('36.061100');
  await checkA11y(resident);
  await form.getByLabel('具体情况').fill(description);
  await form.getByRole('button', { name: '提交', exact: true }).click();
  await expect(resident).toHaveURL(/\/appeals\/\d+$/);
  const href = new URL(resident.url()).pathname;
  const id = href.split('/').pop()!;
  await expect(resident.getByRole('heading', { level: 1 })).toHaveText(`#${id} 漏水渗水 已提交`);
  await expect(status(resident)).toHaveText('已提交');
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);
  const what = resident.getByRole('region', { name: '诉求内容' });
  await expect(what).toContainText(description);
  await expect(fact(resident, '诉求类型')).toHaveText('求助');
  await expect(fact(resident, '来源渠道')).toHaveText('手机');
  await expect(fact(resident, '承办单位')).toHaveText('尚未派单');
  await expect(timelineEntry(resident, '提交诉求')).toHaveCount(1);
  await expect(resident.getByRole('region', { name: '照片' }).getByRole('img')).toHaveCount(1);
  // It is in her own list.
  await resident.goto('/appeals?view=mine');
  const mineRow = resident.locator('main tbody tr').filter({ has: resident.locator(`a[href="${href}"]`) });
  await expect(mineRow).toHaveCount(1);
  await expect(mineRow).toContainText(mark);
  await expect(mineRow.locator('td').nth(2)).toHaveText('已提交');

  // 2. The desk accepts it and dispatches it by the rules: a leak goes to the property company.
  const desk = await signedIn(browser, shared, DESKTOP, 'xlg.staff');
  await openFromMenu(desk, '诉求工单');
  await expect(desk).toHaveURL(/\/appeals$/);
  await checkA11y(desk);
  const deskRow = desk.locator('main tbody tr').filter({ has: desk.locator(`a[href="${href}"]`) });
  await expect(deskRow).toHaveCount(1);
  await expect(deskRow).toContainText('漏水渗水');
  await deskRow.getByRole('link', { name: `#${id}` }).click();
  await expect(desk).toHaveURL(new RegExp(`${href}$`));
  await checkA11y(desk);
  await expect(desk.getByRole('region', { name: '诉求内容' })).toContainText(description);
  // The desk sees who raised it, with the number masked.
  await expect(fact(desk, '诉求人')).toHaveText('杨奶奶 139****5678');
  await expect(desk.locator('main')).not.toContainText(phoneNumber);
  await expect(fact(desk, '时限等级')).toHaveText('水电气暖');
  // Only the desk's steps are offered: nothing to take up or answer yet.
  await expect(stepForm(desk, 'dispatch')).toHaveCount(0);
  await expect(stepForm(desk, 'reply')).toHaveCount(0);
  await takeStep(desk, href, 'accept', '受理', '已受理');
  await expect(timelineEntry(desk, '受理')).toContainText('→ 已受理');

  const dispatch = stepForm(desk, 'dispatch');
  const party = dispatch.locator('select[name="party"]');
  await expect(party).toHaveValue('');
  await expect(party.locator('option:checked')).toHaveText('按派单规则');
  await takeStep(desk, href, 'dispatch', '派单', '已派单');
  await expect(fact(desk, '承办单位')).toHaveText('世茂物业');
  await expect(fact(desk, '办理时限')).not.toBeEmpty();
  await expect(timelineEntry(desk, '派单')).toContainText('（世茂物业）');

  // 3. The property company finds it among its new orders, takes it up and answers.
  const property = await signedIn(browser, shared, DESKTOP, 'property1');
  await openFromMenu(property, '我的待办');
  await expect(property).toHaveURL(/\/appeals\?view=queue$/);
  await property.getByRole('navigation', { name: '诉求列表' }).getByRole('link', { name: '新派单' }).click();
  await expect(property).toHaveURL(/\/appeals\?view=queue&bucket=new$/);
  await expect(property.getByRole('navigation', { name: '诉求列表' }).getByRole('link', { name: '新派单' })).toHaveAttribute(
    'aria-current',
    'page',
  );
  await checkA11y(property);
  const queued = property.locator('main tbody tr').filter({ has: property.locator(`a[href="${href}"]`) });
  await expect(queued).toHaveCount(1);
  await expect(queued).toContainText(mark);
  await expect(queued.locator('td').nth(2)).toHaveText('已派单');
  await expect(queued.locator('td').nth(3)).toHaveText('世茂物业');
  // Everything in that bucket is new and the company's own.
  for (const s of await property.locator('main tbody tr td:nth-child(3)').allTextContents()) {
    expect(s.trim()).toMatch(/^已派单/);
  }
  await queued.getByRole('link', { name: `#${id}` }).click();
  await expect(property).toHaveURL(new RegExp(`${href}$`));
  await checkA11y(property);
  await expect(fact(property, '诉求人')).toHaveText('杨奶奶 139****5678');
  await expect(fact(property, '详细地址或位置说明')).toHaveText('厨房');
  // The desk's steps are not the company's.
  await expect(stepForm(property, 'accept')).toHaveCount(0);
  await expect(stepForm(property, 'verify')).toHaveCount(0);
  await expect(stepForm(property, 'reply')).toHaveCount(0);
  await takeStep(property, href, 'take', '接单', '办理中');
  await takeStep(property, href, 'reply', '办结回复', '已办结', async (f) => {
    await f.getByLabel('办理结果').fill(answer);
  });
  await expect(fact(property, '办理结果')).toHaveText(answer);
  // Answered, it has left the company's new orders.
  await property.goto('/appeals?view=queue&bucket=new');
  await expect(property.locator(`main a[href="${href}"]`)).toHaveCount(0);

  // The resident is told it waits for the community's check.
  await openAppeal(resident, href, { phone: true });
  await expect(status(resident)).toHaveText('等待社区核实');
  await expect(resident.locator('main')).toContainText('社区核实后，请您评价');
  await expect(stepForm(resident, 'rate')).toHaveCount(0);

  // 4. The desk finds it among the appeals to verify, and verifies the answer.
  await desk.goto('/appeals');
  await desk.getByRole('navigation', { name: '诉求列表' }).getByRole('link', { name: '待核实诉求' }).click();
  await expect(desk).toHaveURL(/status=replied/);
  await checkA11y(desk);
  await expect(desk.locator(`main tbody a[href="${href}"]`)).toHaveCount(1);
  for (const s of await desk.locator('main tbody tr td:nth-child(3)').allTextContents()) {
    expect(s.trim()).toMatch(/^已办结/);
  }
  await openAppeal(desk, href);
  await expect(status(desk)).toHaveText('已办结');
  await expect(fact(desk, '办理结果')).toHaveText(answer);
  await takeStep(desk, href, 'verify', '核实办结', '已核实');

  // 5. The resident reads the answer and how it went, and rates it.
  await openAppeal(resident, href, { phone: true });
  await expect(status(resident)).toHaveText('请您评价');
  await expect(fact(resident, '办理结果')).toHaveText(answer);
  await expect(fact(resident, '承办单位')).toHaveText('世茂物业');
  // She sees the public record, not the handling record's inside.
  await expect(fact(resident, '诉求人')).toHaveCount(0);
  await expect(fact(resident, '时限等级')).toHaveCount(0);
  const timeline = resident.getByRole('region', { name: '办理经过' });
  for (const [step, to] of [
    ['提交诉求', ''],
    ['受理', '已受理'],
    ['派单', '已派单'],
    ['接单', '办理中'],
    ['办结回复', '已办结'],
    ['核实办结', '已核实'],
  ]) {
    const entry = timelineEntry(resident, step);
    await expect(entry, `the timeline has ${step}`).toHaveCount(1);
    if (to) {
      await expect(entry).toContainText(`→ ${to}`);
    }
  }
  await expect(timelineEntry(resident, '派单')).toContainText('（世茂物业）');
  await expect(timeline.getByRole('listitem')).toHaveCount(6);
  // Only her own steps: no forms of the desk's or the company's.
  await expect(stepForm(resident, 'close')).toHaveCount(0);
  await expect(stepForm(resident, 'callback')).toHaveCount(0);
  await expect(stepForm(resident, 'note')).toHaveCount(0);
  const rate = stepForm(resident, 'rate');
  // Three choices, none chosen for her.
  const choices = rate.getByRole('radio');
  await expect(choices).toHaveCount(3);
  for (const [i, label] of ['满意', '基本满意', '不满意'].entries()) {
    await expect(choices.nth(i)).toHaveAccessibleName(label);
    await expect(choices.nth(i)).not.toBeChecked();
  }
  await takeStep(resident, href, 'rate', '评价', '已评价', async (f) => {
    await f.getByRole('radio', { name: '满意', exact: true }).check();
  });
  await expectNoSidewaysScroll(resident);
  await expect(fact(resident, '评价')).toHaveText(/^满意\s*$/);
  await expect(timelineEntry(resident, '评价')).toContainText('→ 已评价');
  await expect(stepForm(resident, 'rate')).toHaveCount(0);

  // 6. The desk files it.
  await openAppeal(desk, href);
  await expect(status(desk)).toHaveText('已评价');
  await expect(fact(desk, '评价')).toHaveText(/^满意\s*$/);
  await takeStep(desk, href, 'close', '归档', '已归档');
  await expect(timelineEntry(desk, '归档')).toContainText('→ 已归档');
  for (const a of ['accept', 'dispatch', 'verify', 'close', 'urge', 'rate']) {
    await expect(stepForm(desk, a), `no ${a} on a filed appeal`).toHaveCount(0);
  }

  // The resident's list says so.
  await resident.goto('/appeals?view=mine');
  await expect(mineRow.locator('td').nth(2)).toHaveText('已归档');
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);

  for (const p of [resident, desk, property]) {
    await p.context().close();
  }
});
