import { expect, test } from '@playwright/test';
import { checkA11y, DEMO_ACCOUNTS, DEMO_PASSWORD, fillLogin, login, logout, visit } from './helpers';

test.describe('signing in and out', () => {
  for (const account of DEMO_ACCOUNTS) {
    test(`${account.username} (${account.role}) signs in, sees the right home, and signs out`, async ({ page }) => {
      await login(page, account.username);
      await expect(page).toHaveURL(/\/$/);
      await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');

      if (account.staff) {
        // Staff get the console with their community's numbers.
        await expect(page.getByRole('heading', { level: 1, name: '工作台' })).toBeVisible();
        await expect(page.getByRole('heading', { level: 2, name: /西柳沟社区/ })).toBeVisible();
        await expect(page.getByRole('navigation', { name: '主导航' })).toBeVisible();
      } else {
        // Everyone else gets the phone view with the community and its grid workers' contacts.
        await expect(page.getByRole('heading', { level: 1, name: '我的社区' })).toBeVisible();
        await expect(page.getByRole('heading', { level: 2, name: /西柳沟社区/ })).toBeVisible();
        const contacts = page.getByRole('region', { name: '网格员联系方式' });
        await expect(contacts).toContainText('马建国');
        await expect(contacts.getByRole('link', { name: '13909311001' })).toHaveAttribute('href', 'tel:13909311001');
        await expect(contacts).toContainText('张丽');
      }

      await logout(page);
      await expect(page.getByRole('heading', { level: 1, name: '登录' })).toBeVisible();
      // The session is over: the home page sends the visitor back to sign in.
      await visit(page, '/');
      await expect(page).toHaveURL(/\/login$/);
    });
  }

  test('a wrong password shows an error and keeps the typed username', async ({ page }) => {
    await visit(page, '/login');
    const responsePromise = page.waitForResponse((r) => r.url().endsWith('/login') && r.request().method() === 'POST');
    await fillLogin(page, 'volunteer1', 'not-the-password');
    expect((await responsePromise).status()).toBe(401);
    await checkA11y(page);

    await expect(page).toHaveURL(/\/login$/);
    await expect(page.getByRole('alert')).toHaveText('用户名或密码不正确。');
    await expect(page.getByLabel('用户名')).toHaveValue('volunteer1');
    await expect(page.getByLabel('密码')).toHaveValue('');

    // Correcting the password on the same form signs in.
    await page.getByLabel('密码').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: '登录' }).click();
    await expect(page.getByRole('heading', { level: 1, name: '我的社区' })).toBeVisible();
    await checkA11y(page);
  });
});
