import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, test } from '@playwright/test';

/** The password of every demo account. */
export const DEMO_PASSWORD = 'xilin-demo-2026';

/** The demo accounts, and whether each one gets the staff console as its home page. */
export const DEMO_ACCOUNTS: { username: string; role: string; staff: boolean }[] = [
  { username: 'admin', role: 'platform_admin', staff: true },
  { username: 'xigu.supervisor', role: 'supervisor', staff: true },
  { username: 'xlg.admin', role: 'community_admin', staff: true },
  { username: 'xlg.staff', role: 'community_staff', staff: true },
  { username: 'grid1', role: 'grid_worker', staff: true },
  { username: 'grid2', role: 'grid_worker', staff: true },
  { username: 'party1', role: 'party_member', staff: false },
  { username: 'volunteer1', role: 'volunteer', staff: false },
  { username: 'leader1', role: 'team_leader', staff: false },
  { username: 'property1', role: 'property_staff', staff: false },
  { username: 'dept1', role: 'department_staff', staff: false },
  { username: 'merchant1', role: 'merchant', staff: false },
  { username: 'resident1', role: 'resident', staff: false },
];

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the page as it is now and fails on any violation of impact "serious" or
 * "critical" (WCAG 2.1 A/AA rules). Call it after every navigation. Lesser violations are
 * recorded as annotations on the test, so they show in the report without failing it.
 */
export async function checkA11y(page: Page): Promise<void> {
  await page.waitForLoadState('load');
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const url = new URL(page.url());
  const where = url.pathname + url.search;
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of results.violations.filter((v) => !blocking.includes(v))) {
    test.info().annotations.push({
      type: `axe ${v.impact}`,
      description: `${where}: ${v.id} on ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    });
  }
  const report = blocking.map((v) => ({
    page: where,
    rule: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
  }));
  expect(report, `axe found serious/critical accessibility violations on ${where}:\n${JSON.stringify(report, null, 2)}`).toEqual([]);
}

/** Opens a path and checks the page it lands on for accessibility. */
export async function visit(page: Page, path: string) {
  const response = await page.goto(path);
  await checkA11y(page);
  return response;
}

/** Signs in through the login page, as a person does, and checks the page that follows. */
export async function login(page: Page, username: string, password = DEMO_PASSWORD): Promise<void> {
  await visit(page, '/login');
  await fillLogin(page, username, password);
  await expect(page).not.toHaveURL(/\/login/);
  await checkA11y(page);
}

/** Fills in and submits the login form on the current page (in either language). */
export async function fillLogin(page: Page, username: string, password: string): Promise<void> {
  const form = page.locator('form[action="/login"]');
  await form.locator('input[name="username"]').fill(username);
  await form.locator('input[name="password"]').fill(password);
  await form.locator('button[type="submit"]').click();
  await page.waitForLoadState('load');
}

/** Signs out with the header's button (its label depends on the language). */
export async function logout(page: Page): Promise<void> {
  await page.locator('form[action="/logout"] button').click();
  await expect(page).toHaveURL(/\/login$/);
  await checkA11y(page);
}

/** A bearer token for the JSON API. */
export async function apiToken(
  request: import('@playwright/test').APIRequestContext,
  username: string,
  password = DEMO_PASSWORD,
): Promise<string> {
  const res = await request.post('/api/v1/auth/token', { data: { username, password } });
  expect(res.status(), await res.text()).toBe(200);
  const body = await res.json();
  expect(typeof body.token).toBe('string');
  return body.token as string;
}

/**
 * Opens 西柳沟社区 from the main navigation's 社区结构: through the list of communities, or
 * directly when the account sees only that community (the app then skips the list).
 */
export async function openCommunity(page: Page): Promise<void> {
  await openFromMenu(page, '社区结构');
  await expect(page).toHaveURL(/\/structure(\/communities\/\d+)?$/);
  if (new URL(page.url()).pathname === '/structure') {
    await expect(page.getByRole('heading', { level: 1, name: '社区结构' })).toBeVisible();
    await checkA11y(page);
    await page.getByRole('link', { name: '西柳沟社区' }).click();
  }
  await expect(page).toHaveURL(/\/structure\/communities\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /西柳沟社区/ })).toBeVisible();
  // The way back up to the list of communities.
  await expect(page.locator('.breadcrumb').getByRole('link', { name: '社区结构' })).toBeVisible();
}

/**
 * Opens an entry of the menu as a person would: from the side menu at a desk; on a phone from
 * the tab bar at the bottom when it is there, else through 更多, the whole menu.
 */
export async function openFromMenu(page: Page, name: string): Promise<void> {
  const side = page.getByRole('navigation', { name: '主导航' });
  if (await side.isVisible()) {
    await side.getByRole('link', { name, exact: true }).click();
    return;
  }
  const tabs = page.getByRole('navigation', { name: '常用' });
  const tab = tabs.getByRole('link', { name, exact: true });
  if ((await tab.count()) > 0) {
    await tab.click();
    return;
  }
  await tabs.getByRole('link', { name: '更多', exact: true }).click();
  await expect(page).toHaveURL(/\/menu$/);
  await page.locator('main').getByRole('link', { name, exact: true }).click();
}
