import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Page, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin } from './helpers';

// Charts and maps as their readers meet them, on a 390 px phone and at a 1366 px desk: the
// month's appeals as charts, the district's communities side by side, the grid map with and
// without tiles (served here by a local tile server, as a district's own would be), a resident
// marking the broken lamp's place, an administrator drawing a grid. Screenshots are kept with
// the test's output.

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESK = { viewport: { width: 1366, height: 768 }, isMobile: false, hasTouch: false };

// A 1×1 grey PNG: every tile of the local server.
const TILE = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPo6OgAAAMEAYFWVe8AAAAASUVORK5CYII=',
  'base64',
);

async function signIn(page: Page, username: string) {
  await page.goto('/login');
  await fillLogin(page, username, DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/$/);
}

/** Waits until map.js has drawn the page's map; gives what it drew. */
async function drawn(page: Page): Promise<number> {
  const map = page.locator('.map[data-drawn]').first();
  await expect(map).toBeVisible();
  return Number(await map.getAttribute('data-drawn'));
}

async function keep(page: Page, name: string) {
  const info = test.info();
  const path = info.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await info.attach(name, { path, contentType: 'image/png' });
}

/** The page is no wider than the screen. */
async function fits(page: Page) {
  const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  expect(scroll).toBeLessThanOrEqual(inner);
}

for (const [name, screen] of [['phone', PHONE], ['desk', DESK]] as const) {
  test.describe(`at ${screen.viewport.width} px`, () => {
    test.use(screen);

    test('a staff member sees the month\'s appeals as charts, with the figures a tap away', async ({ page }) => {
      await signIn(page, 'xlg.staff');
      await page.goto('/appeals/rates?community=1');
      const trend = page.locator('#chart-trend');
      await expect(trend.locator('canvas')).toBeVisible();
      // Drawn, the table folds under 数据表; opened, it holds the months.
      const data = trend.locator('details.chart-data');
      await expect(data).not.toHaveAttribute('open', '');
      await data.locator('summary').click();
      await expect(data.getByRole('rowheader').first()).toBeVisible();
      await expect(page.locator('#chart-by_category canvas')).toBeVisible();
      await fits(page);
      await checkA11y(page);
      await keep(page, `rates-${name}`);
      const download = page.waitForEvent('download');
      await trend.getByRole('link', { name: '导出本图数据' }).click();
      expect((await download).suggestedFilename()).toMatch(/^appeal-rates-XLG-\d{4}-\d{2}-trend\.xlsx$/);
    });

    test('a district supervisor compares the communities on one page', async ({ page }) => {
      await signIn(page, 'xigu.supervisor');
      await page.goto('/district');
      await expect(page.getByRole('heading', { level: 1 })).toContainText('社区对比');
      const row = page.getByRole('row').filter({ hasText: '西柳沟社区' });
      await expect(row.locator('svg.spark')).toBeVisible();
      await page.getByLabel('排名依据').selectOption({ label: '满意率' });
      await page.getByRole('button', { name: '查看' }).click();
      await expect(page).toHaveURL(/figure=appeals\.satisfaction/);
      await expect(page.locator('#chart-ranking canvas')).toBeVisible();
      await fits(page);
      await checkA11y(page);
      await keep(page, `district-${name}`);
      // Drill down: the community's own home.
      await page.getByRole('link', { name: '西柳沟社区' }).first().click();
      await expect(page).toHaveURL(/\/\?community=\d+/);
    });

    test('a grid worker opens the map of their own grid', async ({ page }) => {
      await signIn(page, 'grid1');
      await page.goto('/map');
      expect(await drawn(page)).toBeGreaterThan(0);
      await expect(page.getByRole('list', { name: '图例' }).getByText('网格（1）')).toBeVisible();
      await fits(page);
      await checkA11y(page);
      await keep(page, `grid-map-grid1-${name}`);
    });
  });
}

test.describe('tiles from the district\'s own server', () => {
  let server: http.Server;
  let requests = 0;
  let port = 0;

  test.beforeAll(async () => {
    server = http.createServer((req, res) => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'image/png', 'access-control-allow-origin': '*' });
      res.end(TILE);
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    port = (server.address() as AddressInfo).port;
  });

  test.afterAll(async ({ browser }) => {
    // Back to no tiles, so the rest of the suite stays offline.
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, 'xlg.admin');
    await page.goto('/structure/communities/1');
    await page.getByLabel('地图底图').fill('');
    await page.locator('form[action$="/settings"] button[type="submit"]').click();
    await context.close();
    server.close();
  });

  for (const [name, screen] of [['desk', DESK], ['phone', PHONE]] as const) {
    test(`the community map over tiles at ${screen.viewport.width} px, filtered by category`, async ({ browser }) => {
      const context = await browser.newContext(screen);
      const page = await context.newPage();
      await signIn(page, 'xlg.admin');
      if (name === 'desk') {
        await page.goto('/structure/communities/1');
        await page.getByLabel('地图底图').fill(`http://127.0.0.1:${port}/{z}/{x}/{y}.png`);
        await page.locator('form[action$="/settings"] button[type="submit"]').click();
        await expect(page.getByText('已保存')).toBeVisible();
      }
      const before = requests;
      await page.goto('/map?community=1');
      expect(await drawn(page)).toBeGreaterThan(10);
      await expect.poll(() => requests - before, { message: 'tiles came from the local server' }).toBeGreaterThan(0);
      await expect(page.locator('img.leaflet-tile-loaded').first()).toBeAttached();
      await checkA11y(page);
      await keep(page, `community-map-tiles-${name}`);
      await page.getByLabel('事项类别').selectOption({ label: '漏水渗水' });
      await page.getByRole('button', { name: '筛选' }).click();
      await expect(page).toHaveURL(/category=\d+/);
      await drawn(page);
      await fits(page);
      await context.close();
    });
  }
});

test.describe('on a phone', () => {
  test.use(PHONE);

  test('a resident marks where the broken lamp is on a map', async ({ page }) => {
    await signIn(page, 'resident1');
    await page.goto('/appeals/new');
    await page.getByLabel('事项类别').selectOption({ label: '环境卫生' });
    await page.getByLabel('具体情况').fill('小区北门路灯坏了，晚上很黑，老人走路不方便。');
    const map = page.locator('.map.picker');
    expect(await drawn(page)).toBeGreaterThanOrEqual(0);
    // The typed boxes fold away once the map is drawn.
    await expect(page.locator('details.map-typed')).not.toHaveAttribute('open', '');
    const box = (await map.boundingBox())!;
    await map.click({ position: { x: box.width * 0.6, y: box.height * 0.4 } });
    await expect(page.locator('#appeal-status')).toHaveText('已在地图上标出位置。');
    const lat = await page.locator('#appeal-lat').inputValue();
    expect(Number(lat)).toBeGreaterThan(30);
    await checkA11y(page);
    await page.getByRole('button', { name: '提交' }).click();
    await expect(page).toHaveURL(/\/appeals\/\d+$/);
  });
});

test('an administrator draws a grid\'s boundary on the map', async ({ page }) => {
  await page.setViewportSize(DESK.viewport);
  await signIn(page, 'xlg.admin');
  await page.goto('/structure/communities/1');
  await page.getByRole('link', { name: '第三网格（西柳沟老街）' }).first().click();
  const map = page.locator('.map[data-map]');
  await drawn(page);
  await page.getByRole('button', { name: '清除重画' }).click();
  const box = (await map.boundingBox())!;
  for (const [x, y] of [[0.3, 0.3], [0.7, 0.3], [0.7, 0.7], [0.3, 0.7]]) {
    await map.click({ position: { x: box.width * x, y: box.height * y } });
  }
  // The outline is written to the form, in the map's datum (WGS-84 without tiles).
  expect(JSON.parse(await page.locator('#boundary-area').inputValue()).coordinates[0]).toHaveLength(5);
  await page.getByRole('button', { name: '保存边界' }).click();
  await expect(page.getByText('网格边界已保存。')).toBeVisible();
  await checkA11y(page);
  await keep(page, 'grid-boundary-desk');
});
