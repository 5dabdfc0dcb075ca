import { expect, test } from '@playwright/test';
import { checkA11y, login, visit } from './helpers';

test.use({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });

async function expectNoHorizontalScroll(page: import('@playwright/test').Page) {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  expect(widths.scroll, `page is ${widths.scroll}px wide in a 360px viewport`).toBeLessThanOrEqual(360);
}

test('a resident on a 360 px phone sees the home page without sideways scrolling', async ({ page }) => {
  await visit(page, '/login');
  await expectNoHorizontalScroll(page);

  await login(page, 'resident1');
  await expect(page.getByRole('heading', { level: 1, name: '我的社区' })).toBeVisible();
  await expect(page.getByRole('region', { name: '我的网格员' })).toContainText('马建国');
  await expectNoHorizontalScroll(page);

  // The long address and the phone links must wrap, not widen the page.
  await expect(page.getByText(/甘肃省兰州市西固区/)).toBeVisible();
  // Her account is the person in the header.
  await page.getByRole('banner').getByRole('link', { name: '杨奶奶' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await checkA11y(page);
  await expectNoHorizontalScroll(page);
});
