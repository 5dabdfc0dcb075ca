import { expect, test } from '@playwright/test';
import { checkA11y, login, openCommunity, openFromMenu } from './helpers';

test('a community admin walks down the structure from the console to a household', async ({ page }) => {
  await login(page, 'xlg.admin');
  await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();

  // 社区结构 lists the communities one may see; someone who sees only one community is taken
  // straight to it.
  await openCommunity(page);
  await expect(page.getByRole('heading', { level: 1, name: /西柳沟社区/ })).toBeVisible();
  await checkA11y(page);

  await page.getByRole('link', { name: '第一网格（海亮小区北）' }).click();
  await expect(page).toHaveURL(/\/structure\/grids\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /第一网格（海亮小区北）/ })).toBeVisible();
  const crumbs = page.getByRole('navigation', { name: '位置' });
  await expect(crumbs).toBeVisible();
  await expect(crumbs.getByRole('link', { name: '社区结构' })).toBeVisible();
  await expect(crumbs.getByRole('link', { name: '西柳沟社区' })).toBeVisible();
  // The grid's worker is named on its page.
  await expect(page.getByRole('region', { name: '网格员' })).toContainText('马建国');
  await checkA11y(page);

  await page.getByRole('link', { name: '海亮小区1号楼' }).click();
  await expect(page).toHaveURL(/\/structure\/buildings\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /海亮小区1号楼/ })).toBeVisible();
  await expect(crumbs.getByRole('link', { name: '第一网格（海亮小区北）' })).toBeVisible();
  await checkA11y(page);

  await page.getByRole('link', { name: '1单元', exact: true }).click();
  await expect(page).toHaveURL(/\/structure\/units\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /1单元/ })).toBeVisible();
  await expect(crumbs.getByRole('link', { name: '海亮小区1号楼' })).toBeVisible();
  await checkA11y(page);

  await page.getByRole('link', { name: '1-1-101' }).click();
  await expect(page).toHaveURL(/\/structure\/households\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /1-1-101/ })).toBeVisible();
  await expect(crumbs).toBeVisible();
  for (const name of ['社区结构', '西柳沟社区', '第一网格（海亮小区北）', '海亮小区1号楼', '1单元']) {
    await expect(crumbs.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await checkA11y(page);

  // The breadcrumb leads back up.
  await crumbs.getByRole('link', { name: '第一网格（海亮小区北）' }).click();
  await expect(page).toHaveURL(/\/structure\/grids\/\d+$/);
  await checkA11y(page);
});

test('a platform admin finds the community in the list of all communities', async ({ page }) => {
  await login(page, 'admin');
  await openFromMenu(page, '社区结构');
  await expect(page).toHaveURL(/\/structure$/);
  await expect(page.getByRole('heading', { level: 1, name: '社区结构' })).toBeVisible();
  // The platform admin also manages districts and subdistricts here.
  await expect(page.getByRole('heading', { name: '区与街道' })).toBeVisible();
  await checkA11y(page);
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: '西柳沟社区' }) });
  await expect(row).toContainText('XLG');
  await row.getByRole('link', { name: '西柳沟社区' }).click();
  await expect(page).toHaveURL(/\/structure\/communities\/\d+$/);
  await expect(page.getByRole('heading', { level: 1, name: /西柳沟社区/ })).toBeVisible();
  await checkA11y(page);
});
