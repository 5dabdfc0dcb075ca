import { expect, test } from '@playwright/test';
import { checkA11y, DEMO_PASSWORD, fillLogin } from './helpers';

// Line breaks typed into a textarea: the browser sends them as CRLF (the form encoding requires
// it). The appeal is accepted, not refused for "invisible control characters", and its page
// shows the lines as they were typed.

test('an appeal typed on two lines is raised and shown on two lines', async ({ page }) => {
  const mark = `E2E-${Date.now().toString(36).toUpperCase()}`;
  await page.goto('/login');
  await fillLogin(page, 'resident1', DEMO_PASSWORD);
  await expect(page).not.toHaveURL(/\/login/);
  await page.goto('/appeals/new');
  await expect(page.getByRole('heading', { level: 1, name: '我要反映' })).toBeVisible();
  const form = page.locator('form[action="/appeals/new"]');
  await form.getByLabel('事项类别').selectOption({ label: '漏水渗水' });
  const text = form.getByLabel('具体情况');
  // Typed key by key, with Enter between the lines, as a person does.
  await text.pressSequentially(`${mark} 第一行：楼上卫生间渗水`);
  await text.press('Enter');
  await text.pressSequentially('第二行：已经滴到客厅地上');
  await form.getByRole('button', { name: '提交', exact: true }).click();
  await expect(page).toHaveURL(/\/appeals\/\d+$/);
  await expect(page.locator('main')).not.toContainText('控制字符');
  const what = page.getByRole('region', { name: '诉求内容' }).locator('p.lines');
  await expect(what).toHaveText(`${mark} 第一行：楼上卫生间渗水\n第二行：已经滴到客厅地上`, { useInnerText: true });
  await checkA11y(page);
});
