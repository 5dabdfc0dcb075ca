import { expect, test } from '@playwright/test';
import { checkA11y, fillLogin, login, logout, visit } from './helpers';

test('the language choice is kept on the account across sign-ins', async ({ page, context }) => {
  await login(page, 'xlg.staff');
  await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();

  // Switch to English from the header.
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Console' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByRole('button', { name: '中文' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  await checkA11y(page);

  // Other pages follow.
  await page.locator('header').getByRole('link', { name: '王晓燕' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { level: 1, name: 'My account' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await checkA11y(page);

  // Sign out, forget every cookie (so only the account can remember), sign in again.
  await logout(page);
  await context.clearCookies();
  await visit(page, '/login');
  await expect(page.getByRole('heading', { level: 1, name: '登录' })).toBeVisible();
  await fillLogin(page, 'xlg.staff', 'xilin-demo-2026');
  await expect(page.getByRole('heading', { level: 1, name: 'Console' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await checkA11y(page);

  // And back to Chinese, which is remembered the same way.
  await page.getByRole('button', { name: '中文' }).click();
  await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
  await checkA11y(page);
  await logout(page);
  await context.clearCookies();
  await login(page, 'xlg.staff');
  await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
});

test('a visitor who is not signed in can switch the login page to English', async ({ page }) => {
  await visit(page, '/login');
  await page.getByRole('button', { name: 'English' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();
  await expect(page.getByLabel('Username')).toBeVisible();
  await checkA11y(page);
});
