import { expect, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_ACCOUNTS, fillLogin, DEMO_PASSWORD, openFromMenu } from './helpers';

// The console as each demo role meets it, on a 390 px phone and at a 1366 px desk: the home page
// starts their day's work, every entry of their menu opens (no 404, no page wider than the
// screen, nothing axe objects to), and a screenshot of each home is kept with the test's output.

const WIDTHS = [
  { name: 'phone', width: 390, height: 844, isMobile: true, hasTouch: true },
  { name: 'desk', width: 1366, height: 768, isMobile: false, hasTouch: false },
];

/** The page is no wider than the screen. */
async function fits(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll, `${new URL(page.url()).pathname} is ${scroll}px wide in a ${inner}px window`).toBeLessThanOrEqual(inner);
}

/** Every link of the reader's menu: the side menu at a desk, the tab bar and 更多 on a phone. */
async function menuLinks(page: Page, phone: boolean): Promise<string[]> {
  const hrefs = async (selector: string) =>
    page.locator(selector).evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).getAttribute('href') ?? ''));
  if (!phone) {
    await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
    return hrefs('nav.side a');
  }
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeHidden();
  const tabs = page.getByRole('navigation', { name: '常用' });
  await expect(tabs).toBeVisible();
  const links = await hrefs('nav.tabs a');
  expect(links.length, 'a tab bar holds home, up to three entries and 更多').toBeLessThanOrEqual(5);
  if (links.includes('/menu')) {
    await page.goto('/menu');
    links.push(...(await hrefs('main .menu-group a')));
  }
  return [...new Set(links)];
}

// axe runs once per page and width, whoever opens it first.
const checked = new Set<string>();

for (const w of WIDTHS) {
  test.describe(`at ${w.width} px`, () => {
    test.use({ viewport: { width: w.width, height: w.height }, isMobile: w.isMobile, hasTouch: w.hasTouch });

    for (const account of DEMO_ACCOUNTS) {
      test(`${account.username} (${account.role}): the home and every menu entry`, async ({ page }, info) => {
        test.setTimeout(120_000);
        await page.goto('/login');
        await fillLogin(page, account.username, DEMO_PASSWORD);
        await expect(page).toHaveURL(/\/$/);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(account.staff ? '工作台' : '我的社区');
        await fits(page);
        await checkA11y(page);
        await page.screenshot({ path: info.outputPath(`home-${account.username}-${w.width}.png`), fullPage: true });
        await info.attach(`home of ${account.username} at ${w.width}px`, {
          path: info.outputPath(`home-${account.username}-${w.width}.png`),
          contentType: 'image/png',
        });
        // One item of the menu names the page being read.
        if (w.name === 'desk') {
          await expect(page.locator('nav.side [aria-current="page"]')).toHaveCount(1);
        }

        const links = await menuLinks(page, w.name === 'phone');
        expect(links.length).toBeGreaterThan(1);
        for (const href of links) {
          const res = await page.goto(href);
          expect(res?.status(), `${account.username} opens ${href}`).toBe(200);
          await fits(page);
          if (w.name === 'desk' && href !== '/') {
            // The entry just opened is the one item marked, and only one is.
            await expect(page.locator('nav.side [aria-current="page"]')).toHaveCount(1);
          }
          const key = `${w.width} ${new URL(page.url()).pathname}`;
          if (!checked.has(key)) {
            checked.add(key);
            await checkA11y(page);
          }
        }
      });
    }
  });
}

test('a page that is not there keeps the menu, so one can go on from it', async ({ page }) => {
  await page.goto('/login');
  await fillLogin(page, 'xlg.staff', DEMO_PASSWORD);
  const res = await page.goto('/no/such/page');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: '出错了' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '诉求工单' })).toBeVisible();
  await checkA11y(page);
});

test('a district supervisor opens a report by choosing the community first', async ({ page }) => {
  await page.goto('/login');
  await fillLogin(page, 'xigu.supervisor', DEMO_PASSWORD);
  for (const [entry, heading] of [
    ['诉求统计', /诉求/],
    ['志愿服务统计', /志愿/],
    ['帮扶报表', /帮扶/],
  ] as const) {
    await page.goto('/');
    await openFromMenu(page, entry);
    await expect(page.getByRole('heading', { level: 1, name: '请选择社区' })).toBeVisible();
    await checkA11y(page);
    await page.getByRole('link', { name: '西柳沟社区' }).click();
    await expect(page).toHaveURL(/community=\d+/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  }
});

test('the style page shows the components to staff and is not there for residents', async ({ page }) => {
  await page.goto('/login');
  await fillLogin(page, 'xlg.staff', DEMO_PASSWORD);
  await page.goto('/style');
  await expect(page.getByRole('heading', { level: 1, name: '界面组件' })).toBeVisible();
  for (const tone of ['待受理', '办理中', '即将到期', '已超期', '已办结', '已关闭']) {
    await expect(page.locator('.chip', { hasText: tone }).first()).toBeVisible();
  }
  await checkA11y(page);
  // A reason asked before an action: the dialog opens from its button.
  await page.locator('details.dialog summary').first().click();
  await expect(page.getByLabel('理由')).toBeVisible();
  await page.context().clearCookies();
  await page.goto('/login');
  await fillLogin(page, 'resident1', DEMO_PASSWORD);
  const res = await page.goto('/style');
  expect(res?.status()).toBe(404);
});
