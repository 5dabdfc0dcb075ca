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
        // Everyone else gets their community, what they can start, and a grid worker to call.
        await expect(page.getByRole('heading', { level: 1, name: '我的社区' })).toBeVisible();
        await expect(page.locator('main')).toContainText('西柳沟社区');
        if (account.username === 'resident1') {
          // Her household is in the first grid: her own grid worker, no one else's.
          const mine = page.getByRole('region', { name: '我的网格员' });
          await expect(mine).toContainText('马建国');
          await expect(mine).not.toContainText('张丽');
          await expect(mine.getByRole('link', { name: /马建国/ })).toHaveAttribute('href', 'tel:13909311001');
          // Raising a concern is the first thing on her page.
          await expect(page.getByRole('navigation', { name: '从这里开始' }).getByRole('link').first()).toContainText('我要反映');
        } else {
          // No household of theirs on record: every grid worker of the community.
          const contacts = page.getByRole('region', { name: '网格员联系方式' });
          await expect(contacts).toContainText('马建国');
          await expect(contacts.getByRole('link', { name: /马建国/ })).toHaveAttribute('href', 'tel:13909311001');
          await expect(contacts).toContainText('张丽');
        }
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
