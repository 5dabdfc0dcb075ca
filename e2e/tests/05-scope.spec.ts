import { expect, test } from '@playwright/test';
import { apiToken, checkA11y, login, visit } from './helpers';

test("a grid worker cannot open another grid's page", async ({ page, request }) => {
  // Find the grids of 西柳沟社区 through the API, as the community admin.
  const token = await apiToken(request, 'xlg.admin');
  const headers = { Authorization: `Bearer ${token}` };
  const communities = await (await request.get('/api/v1/communities', { headers })).json();
  const xlg = communities.items.find((c: { code: string }) => c.code === 'XLG');
  expect(xlg, 'the demo community XLG').toBeTruthy();
  const res = await request.get(`/api/v1/communities/${xlg.community_id}/grids`, { headers });
  expect(res.status()).toBe(200);
  const grids: { id: number; code: string }[] = (await res.json()).items;
  const g01 = grids.find((g) => g.code === 'G01');
  const g02 = grids.find((g) => g.code === 'G02');
  expect(g01 && g02, 'grids G01 and G02').toBeTruthy();

  await login(page, 'grid1');

  // Their own grid opens.
  const own = await visit(page, `/structure/grids/${g01!.id}`);
  expect(own!.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: /第一网格/ })).toBeVisible();

  // Another grid is not there for them at all: not found, not even "forbidden".
  const other = await visit(page, `/structure/grids/${g02!.id}`);
  expect(other!.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('出错了');
  await expect(page.getByRole('main')).toContainText('没有找到您要的内容。');
  await expect(page.getByRole('main')).not.toContainText('第二网格');
  await expect(page.getByRole('main').getByRole('link', { name: '首页' })).toHaveAttribute('href', '/');
  // The menu stays, so they can go on from here.
  await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
});

test('an unknown address shows the not-found page', async ({ page }) => {
  await login(page, 'grid1');
  const res = await visit(page, '/no-such-page');
  expect(res!.status()).toBe(404);
  await expect(page.getByRole('main')).toContainText('没有找到您要的内容。');
});
