import { expect, test } from '@playwright/test';
import { checkA11y, login, openCommunity, openFromMenu } from './helpers';

// Creating a grid, then finding that creation in the audit log: one story, run in order.
test.describe.configure({ mode: 'serial' });

const code = `E2E-${Date.now().toString(36).toUpperCase()}`;
const name = `测试网格 ${code}`;
let gridId = '';

test('a community admin creates a grid and is told exactly what is wrong with bad input', async ({ page }) => {
  await login(page, 'xlg.admin');
  await openCommunity(page);
  await expect(page.getByRole('heading', { level: 2, name: '新建网格' })).toBeVisible();
  await checkA11y(page);
  const communityUrl = page.url();

  // A valid grid: the admin lands on its page, and it is listed with the community's grids.
  const form = page.locator('section', { has: page.getByRole('heading', { name: '新建网格' }) });
  await form.getByLabel('编码').fill(code);
  await form.getByLabel('名称').fill(name);
  await form.getByRole('button', { name: '创建网格' }).click();
  await expect(page).toHaveURL(/\/structure\/grids\/\d+$/);
  gridId = page.url().match(/\/grids\/(\d+)$/)![1];
  await expect(page.getByRole('heading', { level: 1, name: new RegExp(name) })).toBeVisible();
  await checkA11y(page);

  await page.goto(communityUrl);
  await checkA11y(page);
  const row = page.getByRole('row').filter({ has: page.getByRole('link', { name }) });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell', { name: code, exact: true })).toBeVisible();
  await expect(row.getByRole('link', { name })).toHaveAttribute('href', `/structure/grids/${gridId}`);

  // Invalid input: an empty name and a code in Chinese characters.
  await page.locator('#g-code').fill('第五网格');
  await page.locator('#g-name').fill('');
  const posted = page.waitForResponse((r) => r.url().endsWith('/grids') && r.request().method() === 'POST');
  await page.locator('#g-name').press('Enter');
  expect((await posted).status()).toBe(422);
  await page.waitForLoadState('load');
  await checkA11y(page);

  // Each field says what is wrong with it, beside it, and keeps what was typed.
  const codeField = page.locator('#g-code');
  const nameField = page.locator('#g-name');
  await expect(codeField).toHaveValue('第五网格');
  await expect(nameField).toHaveValue('');
  await expect(codeField).toHaveAttribute('aria-invalid', 'true');
  await expect(nameField).toHaveAttribute('aria-invalid', 'true');
  const codeError = page.locator('#g-code-e.field-error');
  const nameError = page.locator('#g-name-e.field-error');
  await expect(codeError).toHaveText('编码只能包含字母、数字、“-”和“_”，最多 32 位。');
  await expect(nameError).toHaveText('此项为必填项。');
  await expect(codeField).toHaveAttribute('aria-describedby', 'g-code-e');
  await expect(nameField).toHaveAttribute('aria-describedby', 'g-name-e');
  await expect(codeField).toHaveAccessibleDescription('编码只能包含字母、数字、“-”和“_”，最多 32 位。');
  // The error sits inside the same field block as its input.
  await expect(page.locator('.field', { has: codeField }).locator('.field-error')).toHaveCount(1);
  await expect(page.locator('.field', { has: nameField }).locator('.field-error')).toHaveCount(1);
  // Focus goes to the first field in error, so a screen reader announces it.
  await expect(codeField).toBeFocused();
  // Only the form that was sent is marked: the settings form below is untouched.
  await expect(page.locator('#s-name')).not.toHaveAttribute('aria-invalid', 'true');
  // Nothing was created.
  await expect(page.getByRole('link', { name: '第五网格' })).toHaveCount(0);
});

test('the audit log shows who created the grid', async ({ page }) => {
  expect(gridId, 'the grid from the previous test').not.toBe('');
  await login(page, 'xlg.admin');
  await openFromMenu(page, '审计日志');
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByRole('heading', { level: 1, name: '审计日志' })).toBeVisible();
  await checkA11y(page);

  const created = page
    .getByRole('row')
    .filter({ hasText: 'grid.create' })
    .filter({ hasText: `grid #${gridId}` });
  await expect(created).toHaveCount(1);
  await expect(created.getByRole('cell', { name: 'xlg.admin', exact: true })).toBeVisible();

  // Filtering by record type and number finds exactly that entry.
  await page.getByLabel('记录类型').fill('grid');
  await page.getByLabel('记录编号').fill(gridId);
  await page.getByRole('button', { name: '筛选' }).click();
  await expect(page).toHaveURL(/entity=grid/);
  await checkA11y(page);
  const rows = page.locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('grid.create');
  await expect(rows.first()).toContainText(`grid #${gridId}`);
  // The recorded "after" state names the new grid.
  await rows.first().getByText('变更后').click();
  await expect(rows.first().locator('details pre')).toBeVisible();
  await expect(rows.first().locator('details pre')).toContainText(code);
  await expect(rows.first().locator('details pre')).toContainText(name);
});
