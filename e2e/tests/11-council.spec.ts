import { type Browser, type BrowserContextOptions, devices, expect, type Locator, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin, openFromMenu } from './helpers';

// The council (西邻红管家议事厅), as the people in it see it: 杨奶奶 raises a matter of her
// building from her phone, the community's staff put it on the agenda and the property company
// answers it officially; she votes from her phone on the owners' vote open in her building while
// the staff watch the live count, every ratio against its threshold; anyone, signed in or not,
// reads the public board with the resolutions being carried out and the minutes; and the staff
// close votes, one passed (a resolution follows) and one not. Each person has a browser of their
// own. The server is shared with the other files, so what is written is made unique to this run.

const PHONE: BrowserContextOptions = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const DESKTOP: BrowserContextOptions = { ...devices['Desktop Chrome'] };
/** A 1×1 PNG, as a photo from the phone. */
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const DAY = 86_400_000;
/** 西柳沟社区 keeps China Standard Time (no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/** 杨奶奶's building, where the demo's owners' vote on the maintenance fund is open. */
const HOME_BUILDING = '海亮小区1号楼';
const FUND_VOTE = '使用专项维修资金翻修屋面防水';

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

/** The status badge in the heading of a topic or a vote. */
function status(page: Page): Locator {
  return page.getByRole('heading', { level: 1 }).locator('.chip');
}

/** Opens the council from the main navigation (表决 for the votes, 议事厅 for the topics). */
async function fromNav(page: Page, link: '议事厅' | '表决', { phone = false } = {}) {
  await openFromMenu(page, link);
  if (link === '议事厅') {
    await expect(page).toHaveURL(/\/council(\?community=\d+)?$/);
    await expect(page.getByRole('heading', { level: 1, name: '西邻红管家议事厅' })).toBeVisible();
  } else {
    await expect(page).toHaveURL(/\/council\/votes(\?community=\d+)?$/);
    await expect(page.getByRole('heading', { level: 1, name: '表决' })).toBeVisible();
  }
  await checked(page, { phone });
}

/** One row of a count's table: a stage (参与表决, 同意, 到会) and what it measures. */
interface CheckRow {
  part: number;
  whole: number;
  threshold: string;
  needed: number;
  met: boolean;
}

/** A figure of the count: a headcount, or square metres with two decimals. */
function figure(text: string): number {
  const n = Number.parseFloat(text.trim());
  expect(Number.isNaN(n), `"${text}" is a figure`).toBe(false);
  return n;
}

/** Reads a row of the count's table (the checks, with every ratio against its threshold). */
async function checkRow(page: Page, stage: string, measure: string): Promise<CheckRow> {
  const row = page
    .locator('#checks tbody tr')
    .filter({ has: page.locator('td:nth-child(1)', { hasText: new RegExp(`^${stage}$`) }) })
    .filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${measure}$`) }) });
  await expect(row, `a row ${stage} · ${measure}`).toHaveCount(1);
  const cells = (await row.locator('td').allTextContents()).map((t) => t.trim());
  // A share of nothing (no one took part) shows dashes, not "0 / 0 … not reached".
  if (cells[2] === '—') {
    expect([cells[4], cells[5]]).toEqual(['—', '—']);
    return { part: 0, whole: 0, threshold: cells[3], needed: 0, met: false };
  }
  const [part, whole] = cells[2].split('/').map(figure);
  const met = cells[5];
  expect(met).toMatch(/^(✔ 达到|✘ 未达到)$/);
  return { part, whole, threshold: cells[3], needed: figure(cells[4]), met: met.startsWith('✔') };
}

/**
 * The least part that meets a share of a whole, as the law reads it: "at least" includes the
 * boundary, "more than" does not. Areas are counted in hundredths of a square metre.
 */
function least(whole: number, num: number, den: number, strict: boolean, scale = 1): number {
  const w = Math.round(whole * scale);
  const boundary = Math.floor((w * num) / den);
  const exact = (w * num) % den === 0;
  return (strict || !exact ? boundary + 1 : boundary) / scale;
}

/** A row's figures agree with its threshold: the least needed, and whether the part meets it. */
function expectConsistent(c: CheckRow, num: number, den: number, strict: boolean, scale = 1) {
  expect(c.threshold).toBe(strict ? `超过 ${num}/${den}` : `${num}/${den} 以上`);
  expect(c.needed).toBeCloseTo(least(c.whole, num, den, strict, scale), 2);
  expect(c.met).toBe(c.whole > 0 && c.part >= c.needed);
}

/** The heads of a count: 同意, 反对, 弃权. */
async function heads(page: Page): Promise<{ approve: number; oppose: number; abstain: number }> {
  const line = (await page.getByRole('region', { name: /^计票结果/ }).locator('p.muted', { hasText: '按人数' }).textContent()) ?? '';
  const m = line.match(/同意 (\d+) · 反对 (\d+) · 弃权 (\d+)/);
  expect(m, `the heads in "${line}"`).not.toBeNull();
  return { approve: Number(m![1]), oppose: Number(m![2]), abstain: Number(m![3]) };
}

/** The vote's form for staff: 表决管理. */
function manage(page: Page): Locator {
  return page.getByRole('region', { name: '表决管理' });
}

/** Drafts a vote from the votes page as staff; `fill` fills in what is particular to it. */
async function draftVote(page: Page, title: string, fill: (form: Locator) => Promise<void>) {
  await fromNav(page, '表决');
  const form = page.getByRole('region', { name: '发起表决' }).locator('form');
  await form.getByLabel('表决事项').fill(title);
  await fill(form);
  await form.getByLabel('截止时间').fill(localMinute(Date.now() + 7 * DAY));
  await form.getByRole('button', { name: '草拟表决' }).click();
  await expect(page).toHaveURL(/\/council\/votes\/\d+$/);
  await expect(page.getByRole('heading', { level: 1 })).toContainText(title);
  await expect(status(page)).toHaveText('草拟');
  await expect(page.getByRole('alert')).toHaveCount(0);
  await checked(page);
  // A draft has no electorate yet: the staff check it by opening the vote.
  await expect(fact(page, '有表决权的人数')).toHaveCount(0);
  await manage(page).getByRole('button', { name: '核对名册并开始投票' }).click();
  await expect(status(page)).toHaveText('投票中');
  await expect(page.getByRole('alert')).toHaveCount(0);
  const electors = Number.parseInt((await fact(page, '有表决权的人数').textContent()) ?? '', 10);
  expect(electors).toBeGreaterThan(0);
  await checked(page);
  return { href: new URL(page.url()).pathname, electors };
}

test('杨奶奶 raises a matter of her building from her phone; the staff put it on the agenda and the property company answers it', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(180_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const mark = tag();
  const title = `${mark} 单元门禁坏了`;
  const body = '一单元的门禁坏了两个星期，外卖和陌生人随便进出，晚上不安全。';
  const accepted = '已列入本月议事会议程，届时请物业到会说明。';
  const answer = `物业已订购新的门禁主板，本周五前更换完毕。${mark}`;

  const resident = await signedIn(browser, shared, PHONE, 'resident1');
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');
  const property = await signedIn(browser, shared, DESKTOP, 'property1');

  // 1. From her phone: the council, its form, her building, a photo.
  let href = '';
  await test.step('the resident raises a topic with a photo from her phone', async () => {
    await fromNav(resident, '议事厅', { phone: true });
    const raise = resident.getByRole('region', { name: '我要说事' });
    await raise.getByLabel('标题').fill(title);
    await raise.getByLabel('内容').fill(body);
    await raise.getByLabel('涉及范围').selectOption({ label: HOME_BUILDING });
    await raise.getByLabel(/^照片/).setInputFiles({ name: 'door.png', mimeType: 'image/png', buffer: Buffer.from(PNG_1X1, 'base64') });
    await raise.getByRole('button', { name: '提交议题' }).click();
    await expect(resident).toHaveURL(/\/council\/topics\/\d+$/);
    href = new URL(resident.url()).pathname;
    await expect(resident.getByRole('heading', { level: 1 })).toContainText(title);
    await expect(status(resident)).toHaveText('待处理');
    await expect(resident.locator('main')).toContainText(body);
    await expect(fact(resident, '涉及范围')).toHaveText(`楼栋 · ${HOME_BUILDING}`);
    await expect(fact(resident, '提出人')).toContainText('杨奶奶（居民）');
    await expect(fact(resident, '联署人数')).toHaveText('0');
    // The photo came along, and shows.
    const photo = resident.getByRole('img', { name: '照片 1' });
    await expect(photo).toBeVisible();
    await expect.poll(() => photo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(1);
    await checked(resident, { phone: true });
    // It is in the council's list, waiting.
    await resident.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '西邻红管家议事厅' }).click();
    const item = resident.locator('#topics li', { has: resident.getByRole('link', { name: title }) });
    await expect(item.locator('.chip')).toHaveText('待处理');
    await expect(item).toContainText(`楼栋 · ${HOME_BUILDING} · 杨奶奶`);
    await checked(resident, { phone: true });
  });

  // 2. The staff find it among the topics waiting and put it on the agenda.
  await test.step('the staff put it on the agenda', async () => {
    await fromNav(staff, '议事厅');
    await staff.getByRole('navigation', { name: '按状态筛选' }).getByRole('link', { name: '待处理' }).click();
    await expect(staff).toHaveURL(/status=raised/);
    await expect(staff.locator('#topics li .chip').first()).toHaveText('待处理');
    await checked(staff);
    await staff.locator('#topics').getByRole('link', { name: title }).click();
    await expect(staff).toHaveURL(new RegExp(`${href}$`));
    await checked(staff);
    const triage = staff.getByRole('region', { name: '工作人员处理' });
    await triage.getByLabel('处理方式').selectOption({ label: '列入议程' });
    await triage.getByLabel('答复内容或理由').fill(accepted);
    await triage.getByRole('button', { name: '保存' }).click();
    await expect(staff).toHaveURL(new RegExp(`${href}$`));
    await expect(status(staff)).toHaveText('已列入议程');
    await expect(fact(staff, '答复')).toHaveText(accepted);
    await expect(staff.getByRole('alert')).toHaveCount(0);
    await checked(staff);
  });

  // 3. The property company answers it officially, on the company's behalf.
  await test.step('the property company answers officially', async () => {
    await fromNav(property, '议事厅');
    await property.locator('#topics').getByRole('link', { name: title }).click();
    await expect(property).toHaveURL(new RegExp(`${href}$`));
    await checked(property);
    // Triage is the staff's.
    await expect(property.getByRole('region', { name: '工作人员处理' })).toHaveCount(0);
    const official = property.getByRole('region', { name: '正式答复' });
    await official.getByLabel('代表单位（如：物业公司、住建部门）').fill('世茂物业');
    await official.getByLabel('答复', { exact: true }).fill(answer);
    await official.getByRole('button', { name: '发布答复' }).click();
    await expect(property).toHaveURL(new RegExp(`${href}$`));
    const said = property.locator('#comments > li', { hasText: answer });
    await expect(said).toHaveCount(1);
    await expect(said.locator('.badge')).toHaveText('正式答复 · 世茂物业');
    await checked(property);
  });

  // 4. On her phone she is told, and reads where it stands and the answer.
  await test.step('the resident is told and reads the status and the answer', async () => {
    await resident.getByRole('link', { name: /^消息/ }).click();
    await expect(resident).toHaveURL(/\/inbox$/);
    await checked(resident, { phone: true });
    await resident.getByRole('link', { name: `您提出的议题“${title}”已列入议事议程` }).click();
    await expect(resident).toHaveURL(new RegExp(`${href}$`));
    await expect(status(resident)).toHaveText('已列入议程');
    await expect(fact(resident, '答复')).toHaveText(accepted);
    const said = resident.locator('#comments > li', { hasText: answer });
    await expect(said.locator('.badge')).toHaveText('正式答复 · 世茂物业');
    // The staff's triage is not hers, and an official answer is not reported.
    await expect(resident.getByRole('region', { name: '工作人员处理' })).toHaveCount(0);
    await expect(resident.getByRole('region', { name: '正式答复' })).toHaveCount(0);
    await expect(said.getByRole('button', { name: '举报' })).toHaveCount(0);
    await checked(resident, { phone: true });
    // Among the topics on the agenda.
    await resident.getByRole('navigation', { name: '位置' }).getByRole('link', { name: '西邻红管家议事厅' }).click();
    await resident.getByRole('navigation', { name: '按状态筛选' }).getByRole('link', { name: '已列入议程' }).click();
    await expect(resident).toHaveURL(/status=agenda/);
    const item = resident.locator('#topics li', { has: resident.getByRole('link', { name: title }) });
    await expect(item.locator('.chip')).toHaveText('已列入议程');
    await checked(resident, { phone: true });
  });

  for (const p of [resident, staff, property]) {
    await p.context().close();
  }
});

test('杨奶奶 votes from her phone on the owners’ vote open in her building; the staff see the live count against every threshold', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(120_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const resident = await signedIn(browser, shared, PHONE, 'resident1');
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');

  // The staff's live count before she votes.
  await fromNav(staff, '表决');
  await staff.locator('#votes').getByRole('link', { name: FUND_VOTE }).click();
  await expect(staff).toHaveURL(/\/council\/votes\/\d+$/);
  const href = new URL(staff.url()).pathname;
  await expect(staff.getByRole('region', { name: /^计票结果/ })).toBeVisible();
  const before = {
    owners: await checkRow(staff, '参与表决', '业主人数'),
    area: await checkRow(staff, '参与表决', '专有部分面积'),
    heads: await heads(staff),
  };

  // 1. She is told the vote is open, and follows the message to it.
  await test.step('the resident opens the vote from her messages and casts 同意', async () => {
    await resident.getByRole('link', { name: /^消息/ }).click();
    await expect(resident).toHaveURL(/\/inbox$/);
    await resident.getByRole('link', { name: new RegExp(`^表决“${FUND_VOTE}”已开始投票`) }).click();
    await expect(resident).toHaveURL(new RegExp(`${href}$`));
    await expect(resident.getByRole('heading', { level: 1 })).toContainText(FUND_VOTE);
    await expect(status(resident)).toHaveText('投票中');
    await expect(fact(resident, '业主共同决定事项（第二百七十八条）')).toHaveText('使用建筑物及其附属设施的维修资金');
    await expect(fact(resident, '涉及范围')).toHaveText(`楼栋 · ${HOME_BUILDING}`);
    await checked(resident, { phone: true });
    // Her ballot: as the owner of her home (the register names her 杨秀兰).
    const ballot = resident.getByRole('region', { name: '我的投票' });
    await expect(ballot).toContainText('您以此身份投票： 杨秀兰');
    await expect(resident.locator('#my-ballot')).toHaveCount(0);
    // While the vote is open a voter sees no count, and nothing of the staff's.
    await expect(resident.getByRole('region', { name: /^计票结果/ })).toHaveCount(0);
    await expect(manage(resident)).toHaveCount(0);
    const choice = ballot.getByRole('group', { name: '您的意见' });
    await expect(choice.getByRole('radio')).toHaveCount(3);
    await choice.getByRole('radio', { name: '同意' }).check();
    await ballot.getByRole('button', { name: '投票', exact: true }).click();
    await expect(resident).toHaveURL(new RegExp(`${href}$`));
    await expect(resident.getByRole('alert')).toHaveCount(0);

    // Her ballot is recorded: she sees it, with what she chose, and may change it until the close.
    await expect(resident.locator('#my-ballot')).toContainText('已投票');
    await expect(resident.locator('#my-ballot')).not.toContainText('待第二名工作人员核对');
    await expect(resident.getByRole('radio', { name: '同意' })).toBeChecked();
    await expect(resident.getByRole('button', { name: '修改我的投票' })).toBeVisible();
    await expect(resident.getByRole('button', { name: '投票', exact: true })).toHaveCount(0);
    await checked(resident, { phone: true });
  });

  // 2. The staff's live count has her in it, every ratio against its threshold.
  await test.step('the staff see the live count with the participation and approval checks', async () => {
    await staff.reload();
    const count = staff.getByRole('region', { name: /^计票结果/ });
    await expect(count.locator('h2 .chip')).toHaveText('实时');
    await checked(staff);
    await expect(staff.locator('#checks thead th')).toHaveText(['环节', '计算依据', '实际 / 总数', '法定比例', '至少需要', '是否达到']);
    await expect(staff.locator('#checks tbody tr')).toHaveCount(4);
    const after = {
      owners: await checkRow(staff, '参与表决', '业主人数'),
      area: await checkRow(staff, '参与表决', '专有部分面积'),
      approveOwners: await checkRow(staff, '同意', '业主人数'),
      approveArea: await checkRow(staff, '同意', '专有部分面积'),
      heads: await heads(staff),
    };
    // Her ballot counts once, as one owner more taking part and approving, with her area.
    expect(after.owners.part).toBe(before.owners.part + 1);
    expect(after.owners.whole).toBe(before.owners.whole);
    expect(after.area.part).toBeGreaterThan(before.area.part);
    expect(after.area.whole).toBeCloseTo(before.area.whole, 2);
    expect(after.heads).toEqual({ ...before.heads, approve: before.heads.approve + 1 });
    // Electors as the vote page states them.
    expect(after.owners.whole).toBe(Number.parseInt((await fact(staff, '有表决权的人数').textContent()) ?? '', 10));
    // Participation: two thirds of all owners and of all the area, at least (Civil Code art. 278).
    expectConsistent(after.owners, 2, 3, false);
    expectConsistent(after.area, 2, 3, false, 100);
    // Approval of the maintenance fund's use: more than half of those taking part, by heads and area.
    expect(after.approveOwners.part).toBe(after.heads.approve);
    expect(after.approveOwners.whole).toBe(after.owners.part);
    expect(after.approveArea.whole).toBeCloseTo(after.area.part, 2);
    expectConsistent(after.approveOwners, 1, 2, true);
    expectConsistent(after.approveArea, 1, 2, true, 100);
    // The outcome so far follows from the checks.
    const all = [after.owners, after.area, after.approveOwners, after.approveArea];
    const outcome = staff.locator('#outcome');
    // While the vote is open, the outcome is what closing now would give.
    if (all.every((c) => c.met)) {
      await expect(outcome).toContainText('如现在结束：通过');
    } else {
      await expect(outcome).toContainText('如现在结束：未通过');
      await expect(outcome).toContainText('未达到：');
    }
    // Her ballot, from her phone, is counted without a second entry.
    await expect(staff.locator('#unconfirmed li', { hasText: '杨秀兰' })).toHaveCount(0);
  });

  for (const p of [resident, staff]) {
    await p.context().close();
  }
});

test('anyone, without signing in, reads the public board: the lift resolution carried out and the residents’ meeting minutes, no ballots', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  const context = await browser.newContext({ baseURL, locale, timezoneId, ...PHONE });
  const page = await context.newPage();
  const res = await page.goto('/board/1');
  expect(res?.status()).toBe(200);
  await expect(page).toHaveURL(/\/board\/1$/);
  await expect(page.getByRole('heading', { level: 1, name: '西柳沟社区 · 居务公开栏' })).toBeVisible();
  // Not signed in: no one's name in the header, no way out.
  await expect(page.locator('form[action="/logout"]')).toHaveCount(0);
  await checked(page, { phone: true });

  // The lift: decided by the owners half a year ago, its tasks and their progress.
  const resolutions = page.getByRole('region', { name: '决议及落实情况' });
  const lift = resolutions.locator('li[data-resolution]', { has: page.locator('strong', { hasText: /加装电梯$/ }) });
  await expect(lift).toHaveCount(1);
  await expect(lift.locator('.badge').first()).toHaveText(/^决定日期 \d{4}-\d{2}-\d{2}$/);
  const tasks = lift.locator(':scope > ul > li');
  await expect(tasks).toHaveCount(3);
  await expect(tasks.filter({ hasText: '世茂物业：编制施工期间的安全和出行方案' })).toContainText('100%');
  await expect(tasks.filter({ hasText: '区住建局：办理加装电梯的审批手续' })).toContainText('60%');
  await expect(tasks.filter({ hasText: '社区居委会：协调低层住户，公示费用分摊方案' })).toContainText('30%');
  for (const t of await tasks.all()) {
    await expect(t).toContainText(/ · 期限 \d{4}-\d{2}-\d{2} · \d{1,3}%/);
  }
  // The resolution's progress is the mean of its tasks'.
  const progress = lift.locator('progress');
  await expect(progress).toHaveAttribute('value', String(Math.floor((100 + 60 + 30) / 3)));
  await expect(lift).toContainText(`落实进度 ${Math.floor((100 + 60 + 30) / 3)}%`);
  // And what was reported, as it was reported.
  await lift.getByText('进展记录').click();
  await expect(lift.locator('details li', { hasText: '规划许可已批复，施工许可在办理中。' })).toBeVisible();

  // The residents' meeting: its minutes, published for all.
  const minutes = page.getByRole('region', { name: '会议纪要' });
  const meeting = minutes.locator('li', { has: page.locator('strong', { hasText: '西柳沟社区居民会议（户代表）' }) });
  await expect(meeting).toHaveCount(1);
  await expect(meeting).toContainText('党群服务中心二楼议事厅');
  await expect(meeting.locator('p.lines')).toContainText(/应到户代表 \d+ 人，实到 \d+ 人/);
  await expect(meeting.locator('p.lines')).toContainText('公约通过');
  await checked(page, { phone: true });

  // No ballots: nothing leads to a vote, its voters or a count, and no one's ID number is shown.
  const main = page.locator('main');
  await expect(main.locator('a[href*="/council/votes"]')).toHaveCount(0);
  await expect(main.locator('#checks, #my-ballot, #unconfirmed, #poll-result')).toHaveCount(0);
  await expect(main).not.toContainText(/选民|投票|受托人/);
  await expect(main).not.toContainText(/\d{17}[\dXx]|\d{6}\*{8}/);
  // … and the votes themselves are only for those signed in.
  await page.goto('/council/votes');
  await expect(page).toHaveURL(/\/login\?next=/);
  await context.close();
});

test('the staff close a show of hands that passed, which becomes a resolution on the board, and an owners’ vote that did not', async ({
  browser,
  baseURL,
  locale,
  timezoneId,
}) => {
  test.setTimeout(180_000);
  const shared: BrowserContextOptions = { baseURL, locale, timezoneId };
  const staff = await signedIn(browser, shared, DESKTOP, 'xlg.staff');
  const admin = await signedIn(browser, shared, DESKTOP, 'xlg.admin');

  // 1. A residents' meeting of a building's households decides by a show of hands.
  const passing = `${tag()} 3号楼单元门前增设无障碍坡道`;
  let href = '';
  await test.step('the staff draft a residents’ vote by show of hands and open it', async () => {
    const drafted = await draftVote(staff, passing, async (form) => {
      await form.getByLabel('表决类型').selectOption({ label: '居民会议' });
      await form.getByLabel('居民会议的组成').selectOption({ label: '每户派代表' });
      await form.getByLabel('涉及范围').selectOption({ label: '海亮小区3号楼' });
      await form.getByLabel('表决方式').selectOption({ label: '现场举手' });
    });
    href = drafted.href;
    const electors = drafted.electors;
    await expect(fact(staff, '表决方式')).toHaveText('现场举手');
    // Hands are counted by the staff: no ballot to cast on the page.
    await expect(staff.getByRole('region', { name: '我的投票' })).toHaveCount(0);

    // One staff member enters the hands: not counted until another confirms them.
    const present = Math.floor(electors / 2) + 1;
    const approve = Math.floor(present / 2) + 1;
    const hands = { present, approve, oppose: present - approve, abstain: 0 };
    const enter = async (page: Page) => {
      const form = manage(page).locator(`form[action="${href}/hands"]`);
      await form.getByLabel('到会人数').fill(String(hands.present));
      await form.getByLabel('同意').fill(String(hands.approve));
      await form.getByLabel('反对').fill(String(hands.oppose));
      await form.getByLabel('弃权').fill(String(hands.abstain));
      await form.getByRole('button', { name: '录入' }).click();
      await expect(page).toHaveURL(new RegExp(`${href}$`));
      await expect(page.getByRole('alert')).toHaveCount(0);
    };
    await enter(staff);
    await expect(staff.locator('#hands-state')).toHaveText(
      `到会人数 ${hands.present} · 同意 ${hands.approve} · 反对 ${hands.oppose} · 弃权 ${hands.abstain} — 待第二名工作人员核对`,
    );
    await expect(staff.locator('main')).toContainText('现场举手结果尚未由第二名工作人员核对确认，暂不能计票。');
    await expect(staff.locator('#checks')).toHaveCount(0);
    await checked(staff);

    // The other enters the same figures: confirmed, and the live count follows.
    await admin.goto(href);
    await enter(admin);
    await expect(admin.locator('#hands-state')).toContainText('已核对确认');
    const quorum = await checkRow(admin, '到会', '人数');
    expect(quorum).toMatchObject({ part: hands.present, whole: electors, met: true });
    expectConsistent(quorum, 1, 2, true);
    const approval = await checkRow(admin, '同意', '人数');
    expect(approval).toMatchObject({ part: hands.approve, whole: hands.present, met: true });
    expectConsistent(approval, 1, 2, true);
    await checked(admin);
  });

  await test.step('the staff close it: passed, with its resolution', async () => {
    await staff.reload();
    await manage(staff).getByRole('button', { name: '结束投票并计票' }).click();
    await expect(staff).toHaveURL(new RegExp(`${href}$`));
    await expect(status(staff)).toHaveText('已结束');
    await expect(staff.locator('#outcome')).toHaveText('表决通过');
    await expect(staff.getByRole('region', { name: '计票结果' }).locator('h2 .chip')).toHaveCount(0);
    await expect(manage(staff).getByRole('button', { name: '结束投票并计票' })).toHaveCount(0);
    await checked(staff);
    // A recount from what is stored gives the same.
    await manage(staff).getByRole('link', { name: '重新计票核对' }).click();
    await expect(staff.getByRole('status')).toHaveText('按存档选票重新计票，结果与公布结果一致。');
    await checked(staff);

    await staff.getByRole('link', { name: `决议：${passing}` }).click();
    await expect(staff).toHaveURL(/\/council\/resolutions\/\d+$/);
    await expect(staff.getByRole('heading', { level: 1 })).toHaveText(passing);
    await expect(fact(staff, '决定日期')).toHaveText(localMinute(Date.now()).slice(0, 10));
    await expect(fact(staff, '公开范围')).toHaveText('公开');
    await expect(staff.locator('#tasks')).toContainText('尚未分派任务。');
    await checked(staff);

    // In the list of votes it is closed and passed.
    await fromNav(staff, '表决');
    const item = staff.locator('#votes li', { has: staff.getByRole('link', { name: passing }) });
    await expect(item.locator('.chip')).toHaveText(['已结束', '通过']);

    // And it is on the public board for anyone.
    const stranger = await browser.newContext({ ...shared, ...DESKTOP });
    const board = await stranger.newPage();
    await board.goto('/board/1');
    await expect(board.getByRole('region', { name: '决议及落实情况' }).locator('li[data-resolution]', { hasText: passing })).toHaveCount(1);
    await stranger.close();
  });

  // 2. An owners' vote nobody has voted on yet, closed: it fails at participation.
  const failing = `${tag()} 2号楼外墙保温改造`;
  await test.step('the staff close an owners’ vote short of participation: not passed, no resolution', async () => {
    await draftVote(staff, failing, async (form) => {
      await form.getByLabel('表决类型').selectOption({ label: '业主共同决定' });
      await form.getByLabel('业主共同决定事项（第二百七十八条）').selectOption({ label: '改建、重建建筑物及其附属设施' });
      await form.getByLabel('涉及范围').selectOption({ label: '海亮小区2号楼' });
    });
    await manage(staff).getByRole('button', { name: '结束投票并计票' }).click();
    await expect(status(staff)).toHaveText('已结束');
    const outcome = staff.locator('#outcome');
    await expect(outcome).toContainText('表决未通过');
    await expect(outcome).toContainText('未达到： 参与表决 · 专有部分面积');
    const owners = await checkRow(staff, '参与表决', '业主人数');
    expect(owners).toMatchObject({ part: 0, met: false });
    expectConsistent(owners, 2, 3, false);
    // A rebuilding is one of the special matters: three quarters of those taking part.
    expect((await checkRow(staff, '同意', '业主人数')).threshold).toBe('3/4 以上');
    await expect(staff.getByRole('link', { name: /^决议：/ })).toHaveCount(0);
    await checked(staff);
    await fromNav(staff, '表决');
    const item = staff.locator('#votes li', { has: staff.getByRole('link', { name: failing }) });
    await expect(item.locator('.chip')).toHaveText(['已结束', '未通过']);
  });

  for (const p of [staff, admin]) {
    await p.context().close();
  }
});
