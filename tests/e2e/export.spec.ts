import { readFile } from 'node:fs/promises';
import { createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

// "Export CSV" next to the view (issue 22, point 5): the browser downloads the view it shows, every
// row of it in its order, with the session it is signed in with.

test('"Export CSV" downloads the view on screen: its rows in its order, with a dated file name', async ({ page, api }) => {
  const tag = uniqueEmail('export').split('@')[0]!;
  for (const name of ['Cleo Export', 'Abe Export', 'Bea Export']) await createUser(api, name, `${name.split(' ')[0]!.toLowerCase()}.${tag}@example.com`);
  await createUser(api, 'Dot Elsewhere', uniqueEmail('elsewhere'));
  await page.goto(`/?q=${tag}&sort=name&order=asc`);
  const ui = dashboard(page);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(3);

  const link = page.getByRole('link', { name: 'Export CSV' });
  await expect(link).toHaveAttribute('href', `/api/users/export?q=${tag}&sort=name&order=asc`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toBe(`roster-users-${new Date().toISOString().slice(0, 10)}.csv`);
  const text = (await readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
  const lines = text.trimEnd().split('\r\n');
  expect(lines[0]).toBe('name,email,role,createdAt');
  expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['Abe Export', 'Bea Export', 'Cleo Export']);
});
