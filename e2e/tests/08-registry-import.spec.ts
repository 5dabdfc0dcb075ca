import { expect, test } from '@playwright/test';
import { checkA11y, login, visit } from './helpers';

/** A checksum-valid citizen ID (GB 11643) from its first 17 digits. */
function citizenId(first17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

test('community staff replace an Excel sheet: errors are shown per row before anything is written', async ({ page }) => {
  const tag = Date.now().toString().slice(-6);
  const seq = tag.slice(-3);
  const good = citizenId(`62010419750312${seq}`);
  const badChecksum = good.slice(0, 17) + (good.endsWith('0') ? '1' : '0');
  const name = `导入测试${tag}`;
  const csv =
    '\ufeff楼栋编号,单元编号,房号,姓名,性别,出生日期,证件号码,联系电话\n' +
    `B01,U1,101,${name},,,${good},13800138000\n` +
    `B01,U1,102,校验错${tag},,,${badChecksum},13800138001\n` +
    `B99,U1,101,无此楼${tag},,,,12345\n`;

  await login(page, 'xlg.staff');
  await visit(page, '/registry/imports?community=1');
  await expect(page.getByRole('heading', { level: 1, name: /导入居民/ })).toBeVisible();

  // Not a spreadsheet: refused with the reason, nothing stored.
  await page.getByLabel('表格文件').setInputFiles({ name: 'photo.csv', mimeType: 'text/csv', buffer: Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]) });
  await page.getByRole('button', { name: '上传并检查' }).click();
  await expect(page.getByRole('alert')).toBeVisible();
  await checkA11y(page);

  await page.getByLabel('表格文件').setInputFiles({ name: `居民${tag}.csv`, mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
  await page.getByRole('button', { name: '上传并检查' }).click();
  await expect(page).toHaveURL(/\/registry\/imports\/\d+$/);
  await expect(page.getByText('共 3 行：1 行可导入，2 行有问题。')).toBeVisible();
  await expect(page.getByText('身份证号码校验位不对')).toBeVisible();
  await expect(page.getByText('本社区没有楼栋编号为“B99”的楼栋。')).toBeVisible();
  await checkA11y(page);

  // The full report downloads as a CSV Excel opens (UTF-8 with a BOM), in the reader's language.
  const reportHref = await page.getByRole('link', { name: /下载完整问题清单/ }).getAttribute('href');
  const report = await page.request.get(reportHref!);
  expect(report.status()).toBe(200);
  const bytes = await report.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString('utf8')).toContain('身份证号码校验位不对');

  // Nothing is on the registry until the commit.
  const before = await page.request.get(`/registry?community=1&q=${encodeURIComponent(name)}`);
  expect(await before.text()).not.toContain(`>${name}<`);

  await page.getByRole('button', { name: '导入 1 行' }).click();
  await expect(page.getByText('已导入 1 位居民。')).toBeVisible();
  await checkA11y(page);

  await visit(page, `/registry?community=1&q=${encodeURIComponent(name)}`);
  await expect(page.getByRole('link', { name })).toBeVisible();
  // The imported number shows masked.
  await page.getByRole('link', { name }).click();
  await expect(page.getByText(`${good.slice(0, 6)}********${good.slice(-4)}`)).toBeVisible();
  await checkA11y(page);
});
