import { type Browser, type BrowserContextOptions, devices, expect, type Locator, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin } from './helpers';

// Volunteers (小蜜蜂驿站), as the people in it see it: a team's leader publishes an activity, a
// volunteer finds it on her phone and signs up, checks in by scanning the code on the leader's
// screen, the leader enters the time she served, she sees her hours and points and takes a
// certificate anyone can verify, and the community's staff read the year's report. Each person
// has a browser of their own. The server is shared with the other files, so what is written is
// made unique to this run.

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP: BrowserContextOptions = { ...devices['Desktop Chrome'] };
const MINUTE = 60_000;
/** 西柳沟社区 keeps China Standard Time (no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

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

/** An instant as a `datetime-local` value in the community's time zone (minute resolution). */
function localMinute(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 16);
}

/** Hours as the pages print them: one decimal. */
function hours(text: string | null): number {
  const h = Number.parseFloat((text ?? '').trim());
  expect(Number.isNaN(h), `"${text}" is a number of hours`).toBe(false);
  return h;
}

/** The volunteer's balances on their own page. */
async function balances(page: Page): Promise<{ hours: number; points: number }> {
  return {
    hours: hours(await page.getByTestId('my-hours').textContent()),
    points: Number.parseInt((await page.getByTestId('my-points').textContent()) ?? '', 10),
  };
}

/** A report's hours: the year's total, and the year's total of one team. */
async function reportHours(page: Page, team: string): Promise<{ total: number; team: number }> {
  const byTeam = page.locator('section.card', { has: page.getByRole('heading', { level: 2, name: '按队伍' }) });
  const row = byTeam.locator('tbody tr', { has: page.locator('th[scope=row]', { hasText: new RegExp(`^${team}$`) }) });
  await expect(row).toHaveCount(1);
  return {
    total: hours(await byTeam.getByTestId('total-hours').textContent()),
    team: hours(await row.locator('td').last().textContent()),
  };
}

/** One's own page: 我的志愿服务, checked. */
async function openMine(page: Page, { phone = false } = {}) {
  await page.goto('/volunteers');
  await expect(page.getByRole('heading', { level: 1, name: '我的志愿服务' })).toBeVisible();
  await checkA11y(page);
  if (phone) {
    await expectNoSidewaysScroll(page);
  }
}

/** The roster's row of the (only) sign-up on an activity. */
function rosterRow(page: Page): Locator {
  return page.getByRole('region', { name: '报名和签到' }).locator('tr[data-signup]');
}

test('a volunteer finds an activity, signs up, checks in by code, is credited hours and points and takes a verifiable certificate; the staff report adds it up', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(360_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const title = `${tag()} 楼道清扫`;
  const team = '满天星之翼';

  // Everyone signs in first, so that the volunteer can sign up before the activity starts.
  const leader = await signedIn(browser, shared, DESKTOP, 'leader1');
  const volunteer = await signedIn(browser, shared, PHONE, 'volunteer1');
  const admin = await signedIn(browser, shared, DESKTOP, 'xlg.admin');

  // What the report and the volunteer's page say before.
  await admin.goto('/volunteers/reports');
  await expect(admin.getByRole('heading', { level: 1 })).toContainText('志愿服务统计');
  const reportBefore = await reportHours(admin, team);
  await openMine(volunteer, { phone: true });
  const name = ((await volunteer.locator('#h-mine').textContent()) ?? '').trim();
  expect(name).not.toBe('');
  const before = await balances(volunteer);
  // volunteer1 has served a year of the demo's activities already.
  expect(before.hours).toBeGreaterThan(0);

  // 1. The leader publishes an activity of their team, starting in a minute or two: one shift
  //    of an hour, three places, 60 points an hour.
  let activityHref = '';
  let startsAt = 0;
  await test.step('the leader publishes an activity', async () => {
    await leader.goto('/volunteers/activities');
    await expect(leader.getByRole('heading', { level: 1, name: '小蜜蜂驿站 · 志愿活动' })).toBeVisible();
    await checkA11y(leader);
    await leader.getByRole('link', { name: '发布活动' }).click();
    await expect(leader).toHaveURL(/\/volunteers\/activities\/new/);
    await expect(leader.getByRole('heading', { level: 1, name: '发布活动' })).toBeVisible();
    await checkA11y(leader);
    const form = leader.locator('form[action="/volunteers/activities/new"]');
    // A leader publishes for the teams they lead, only.
    await expect(form.getByLabel('志愿队伍', { exact: true }).locator('option')).toHaveText(['社区组织（不属某支队伍）', team]);
    await form.getByLabel('志愿队伍', { exact: true }).selectOption({ label: team });
    await form.getByLabel('活动', { exact: true }).fill(title);
    await form.getByLabel('活动类型').selectOption({ label: '环境卫生' });
    await form.getByLabel('地点').fill('西柳沟社区3号楼');
    await form.getByLabel('活动内容').fill('清扫楼道，清理杂物。');
    startsAt = Math.ceil(Date.now() / MINUTE) * MINUTE + MINUTE;
    await form.getByLabel('开始时间').fill(localMinute(startsAt));
    await form.getByLabel('结束时间').fill(localMinute(startsAt + 60 * MINUTE));
    await form.getByLabel('班次', { exact: true }).fill('1');
    await form.getByLabel('每班名额').fill('3');
    await form.getByLabel('每小时积分').fill('60');
    await form.getByRole('button', { name: '发布活动' }).click();
    await expect(leader).toHaveURL(/\/volunteers\/activities\/\d+$/);
    activityHref = new URL(leader.url()).pathname;
    await expect(leader.getByRole('heading', { level: 1 })).toHaveText(title);
    await checkA11y(leader);
    await expect(leader.locator('[data-shift]')).toHaveCount(1);
    await expect(leader.locator('[data-shift]')).toContainText('已报名 0/3');
    await expect(rosterRow(leader)).toHaveCount(0);
  });

  // 2. The volunteer finds it on her phone among the coming activities and signs up.
  await test.step('the volunteer finds it on her phone and signs up', async () => {
    await openMine(volunteer, { phone: true });
    const coming = volunteer.getByRole('region', { name: '近期活动' });
    await coming.getByRole('link', { name: title }).click();
    await expect(volunteer).toHaveURL(new RegExp(`${activityHref}$`));
    await expect(volunteer.getByRole('heading', { level: 1 })).toHaveText(title);
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);
    // The roster and the codes are the leader's.
    await expect(volunteer.getByRole('region', { name: '报名和签到' })).toHaveCount(0);
    await expect(volunteer.getByRole('link', { name: '显示签到码' })).toHaveCount(0);
    const shift = volunteer.locator('[data-shift]');
    await shift.getByRole('button', { name: '报名', exact: true }).click();
    await expect(volunteer).toHaveURL(new RegExp(`${activityHref}$`));
    await expect(shift.locator('.chip')).toHaveText('已报名');
    await expect(shift).toContainText('已报名 1/3');
    await expect(shift.getByRole('button', { name: '报名', exact: true })).toHaveCount(0);
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);
    // It is among her sign-ups.
    await openMine(volunteer, { phone: true });
    await expect(volunteer.getByRole('region', { name: '我的报名' }).getByRole('listitem').filter({ hasText: title })).toContainText(
      '已报名',
    );
  });

  // 3. The leader shows the check-in code; her phone's camera opens its link and she checks in.
  let link = '';
  let token = '';
  await test.step('the volunteer checks in by scanning the code on the leader’s screen', async () => {
    await leader.goto(activityHref);
    await expect(rosterRow(leader)).toHaveCount(1);
    await expect(rosterRow(leader).locator('td').first()).toHaveText(name);
    await leader.getByRole('link', { name: '显示签到码' }).click();
    await expect(leader).toHaveURL(new RegExp(`${activityHref}/code\\?purpose=in$`));
    await expect(leader.getByRole('heading', { level: 1, name: '显示签到码' })).toBeVisible();
    await checkA11y(leader);
    const qr = leader.locator('section.qr');
    await expect(qr).toContainText(title);
    await expect(qr.getByRole('img', { name: '签到二维码' }).locator('svg')).toHaveCount(1);
    token = (await qr.getAttribute('data-token')) ?? '';
    link = (await qr.getAttribute('data-link')) ?? '';
    expect(token).not.toBe('');
    expect(link).toBe(`${baseURL}/volunteers/scan?t=${token}`);

    // Opening the link only shows what it is for; the button checks in.
    await volunteer.goto(link);
    await expect(volunteer.getByRole('heading', { level: 1, name: '签到' })).toBeVisible();
    await expect(volunteer.locator('main')).toContainText(title);
    await expect(volunteer.getByRole('alert')).toHaveCount(0);
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);
    await volunteer.getByRole('button', { name: '签到', exact: true }).click();
    await expect(volunteer.getByTestId('scan-done')).toContainText('签到成功');
    await expect(volunteer.getByTestId('scan-done')).toContainText(title);
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);

    // Scanning again does not check in twice.
    await volunteer.goto(link);
    await volunteer.getByRole('button', { name: '签到', exact: true }).click();
    await expect(volunteer.getByRole('alert')).toContainText('已经签到');
    await expect(volunteer.getByTestId('scan-done')).toHaveCount(0);
    await checkA11y(volunteer);

    // A code made up from a real one (another activity's number, the same signature) is refused.
    const [id, ...rest] = token.split('.');
    const forged = [String(Number(id) + 1), ...rest].join('.');
    await volunteer.goto(`/volunteers/scan?t=${encodeURIComponent(forged)}`);
    await expect(volunteer.getByRole('alert')).toContainText('无法识别');
    await expect(volunteer.getByRole('button', { name: '签到', exact: true })).toHaveCount(0);
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);

    // The leader's roster shows her checked in.
    await leader.goto(activityHref);
    await expect(rosterRow(leader).locator('td').nth(2)).not.toBeEmpty();
  });

  // 4. Once the activity has started, the leader enters the time she served.
  await test.step('the leader enters the minutes served', async () => {
    const minutes = rosterRow(leader).locator('input[name="minutes"]');
    // The minutes are entered once the shift has begun: until then the form is not offered.
    await expect(async () => {
      await leader.goto(activityHref);
      await expect(minutes).toBeVisible({ timeout: 1_000 });
    }).toPass({ timeout: 150_000, intervals: [2_000, 5_000] });
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt - 5_000);
    await checkA11y(leader);
    const row = rosterRow(leader);
    // Checked in before the start: the whole shift is suggested.
    await expect(minutes).toHaveValue('60');
    await minutes.fill('30');
    // Before the shift's end, time is credited only with the leader's reason: refused beside the
    // row without one, then entered with it.
    await row.getByRole('button', { name: '录入时长' }).click();
    await expect(rosterRow(leader).getByRole('alert')).toContainText('原因');
    await rosterRow(leader).locator('input[name="minutes"]').fill('30');
    await rosterRow(leader).locator('form[action$="/minutes"]').getByLabel('更正原因').fill('提前离开');
    await rosterRow(leader).getByRole('button', { name: '录入时长' }).click();
    await expect(leader).toHaveURL(new RegExp(`${activityHref}$`));
    await expect(rosterRow(leader).locator('td').nth(4)).toHaveText('30');
    await expect(rosterRow(leader).getByRole('alert')).toHaveCount(0);

    // More than the shift: the browser stops it, and so does the server, beside the row.
    await minutes.fill('61');
    expect(await minutes.evaluate((el: HTMLInputElement) => el.validity.rangeOverflow)).toBe(true);
    const form = rosterRow(leader).locator('form[action$="/minutes"]');
    await form.getByLabel('更正原因').fill('多算了');
    await form.evaluate((f: HTMLFormElement) => {
      f.noValidate = true;
    });
    await form.getByRole('button', { name: '录入时长' }).click();
    await expect(rosterRow(leader).getByRole('alert')).toHaveText('服务时长不能超过班次时长（60 分钟）。');
    // Still what was entered.
    await expect(rosterRow(leader).locator('td').nth(4)).toHaveText('30');
    await checkA11y(leader);
  });

  // 5. The volunteer sees her hours and points, and takes a certificate anyone can verify.
  let certificate = '';
  await test.step('the volunteer sees her hours and points and takes a certificate', async () => {
    await openMine(volunteer, { phone: true });
    const after = await balances(volunteer);
    expect(after.hours).toBeCloseTo(before.hours + 0.5, 5);
    expect(after.points).toBe(before.points + 30);
    await expect(volunteer.getByRole('region', { name: '我的报名' }).getByRole('listitem').filter({ hasText: title })).toContainText(
      '0.5 h',
    );
    const history = volunteer.getByRole('region', { name: '时长和积分明细' });
    await expect(history.locator('tr', { hasText: title }).filter({ hasText: '+0.5' })).toHaveCount(1);
    await expect(history.locator('tr', { hasText: title }).filter({ hasText: '+30' })).toHaveCount(1);

    await volunteer.getByRole('button', { name: '开具志愿服务证明' }).click();
    await expect(volunteer).toHaveURL(/\/volunteers\/certificates\/[A-Z0-9]{12}$/);
    certificate = new URL(volunteer.url()).pathname;
    await expect(volunteer.getByRole('heading', { level: 1, name: '志愿服务证明' })).toBeVisible();
    await expect(volunteer.getByTestId('cert-name')).toHaveText(name);
    await expect(volunteer.getByTestId('cert-hours')).toHaveText(after.hours.toFixed(1));
    await expect(volunteer.locator('main tbody tr', { hasText: title })).toContainText('0.5');
    await checkA11y(volunteer);
    await expectNoSidewaysScroll(volunteer);

    // Anyone holding the code verifies it, signed in or not.
    const stranger = await browser.newContext({ ...shared, ...DESKTOP });
    const page = await stranger.newPage();
    await page.goto(certificate);
    await expect(page).toHaveURL(new RegExp(`${certificate}$`));
    await expect(page.getByTestId('cert-name')).toHaveText(name);
    await expect(page.getByTestId('cert-hours')).toHaveText(after.hours.toFixed(1));
    await checkA11y(page);
    const pdf = await stranger.request.get(`${certificate}/pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    // A code nobody issued is not found.
    const made = await stranger.request.get('/volunteers/certificates/ABCDEFGHJKMN');
    expect(made.status()).toBe(404);
    await stranger.close();
  });

  // 6. The community's staff read the year's report, with her half hour in it, and export it.
  await test.step('the staff read the report and export it', async () => {
    await admin.goto('/volunteers/reports');
    await expect(admin.getByRole('heading', { level: 1 })).toContainText('志愿服务统计');
    await checkA11y(admin);
    const reportAfter = await reportHours(admin, team);
    expect(reportAfter.total).toBeCloseTo(reportBefore.total + 0.5, 5);
    expect(reportAfter.team).toBeCloseTo(reportBefore.team + 0.5, 5);
    const href = await admin.getByRole('link', { name: '导出 Excel' }).getAttribute('href');
    expect(href).toMatch(/^\/volunteers\/reports\.xlsx\?/);
    const xlsx = await admin.request.get(href!);
    expect(xlsx.status()).toBe(200);
    expect(xlsx.headers()['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers()['content-disposition']).toMatch(/^attachment; filename="volunteer-hours-XLG-\d{4}\.xlsx"$/);
    expect((await xlsx.body()).subarray(0, 2).toString('latin1')).toBe('PK');
    // The same link, clicked, downloads the file.
    const download = admin.waitForEvent('download');
    await admin.getByRole('link', { name: '导出 Excel' }).click();
    expect((await download).suggestedFilename()).toMatch(/^volunteer-hours-XLG-\d{4}\.xlsx$/);
    // The month of the activity alone, as a month's report: her half hour is in it, and the
    // export is of that month.
    const [y, m] = localMinute(startsAt).split('-');
    await admin.getByLabel('年份').fill(y);
    await admin.getByLabel('月份').selectOption(String(Number(m)));
    await admin.getByRole('button', { name: '查看' }).click();
    await expect(admin.getByRole('heading', { level: 1 })).toContainText(`${y}-${m}`);
    await checkA11y(admin);
    const month = await reportHours(admin, team);
    expect(month.team).toBeGreaterThanOrEqual(0.5);
    expect(month.total).toBeGreaterThanOrEqual(month.team);
    expect(await admin.getByRole('link', { name: '导出 Excel' }).getAttribute('href')).toContain(`month=${Number(m)}`);
    // A volunteer does not read the community's report.
    const denied = await volunteer.request.get('/volunteers/reports');
    expect(denied.status()).toBe(404);
  });

  for (const p of [leader, volunteer, admin]) {
    await p.context().close();
  }
});

test('a resident registers as a volunteer from her phone; a minor is registered only with a guardian’s consent', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };

  // 杨奶奶 is not a volunteer yet: her page offers to register, with her name and birth date
  // taken from the community's registry.
  const resident = await signedIn(browser, shared, PHONE, 'resident1');
  await openMine(resident, { phone: true });
  const register = resident.getByRole('region', { name: '注册成为志愿者' });
  await expect(register).toBeVisible();
  await expect(resident.getByTestId('my-hours')).toHaveCount(0);
  await register.getByLabel('可服务时间').fill('周末上午');
  await register.getByLabel('同意社区和队长通过电话联系我').check();
  await register.getByRole('button', { name: '注册', exact: true }).click();
  await expect(resident).toHaveURL(/\/volunteers\?community=\d+$/);
  await expect(resident.getByRole('region', { name: '杨秀兰' })).toBeVisible();
  await expect(resident.getByTestId('my-hours')).toHaveText('0.0');
  await expect(resident.getByTestId('my-points')).toHaveText('0');
  await expect(resident.getByRole('region', { name: '注册成为志愿者' })).toHaveCount(0);
  await checkA11y(resident);
  await expectNoSidewaysScroll(resident);

  // The staff register a child from outside the registry: not without a guardian's consent.
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');
  await staff.goto('/volunteers/people');
  await expect(staff.getByRole('heading', { level: 1, name: '志愿者名册' })).toBeVisible();
  await checkA11y(staff);
  const child = `${tag()} 小明`;
  const tenYearsAgo = new Date(Date.now() + SHANGHAI_OFFSET_MS);
  tenYearsAgo.setUTCFullYear(tenYearsAgo.getUTCFullYear() - 10);
  const form = () => staff.getByRole('region', { name: '登记志愿者' }).locator('form');
  await form().getByLabel('姓名', { exact: true }).fill(child);
  await form().getByLabel('出生日期').fill(tenYearsAgo.toISOString().slice(0, 10));
  await form().getByRole('button', { name: '注册', exact: true }).click();
  await expect(form().getByLabel('姓名', { exact: true })).toHaveValue(child);
  await expect(form().getByLabel('监护人姓名')).toHaveAttribute('aria-invalid', 'true');
  await expect(form()).toContainText('未满18周岁，请填写监护人姓名。');
  await expect(form()).toContainText('未满18周岁，须经监护人同意。');
  await checkA11y(staff);
  await form().getByLabel('监护人姓名').fill('王建国');
  await form().getByLabel('监护人已同意参加志愿服务').check();
  await form().getByRole('button', { name: '注册', exact: true }).click();
  await expect(staff).toHaveURL(/\/volunteers\/people\/\d+$/);
  await expect(staff.locator('main')).toContainText(child);
  await checkA11y(staff);

  for (const p of [resident, staff]) {
    await p.context().close();
  }
});
