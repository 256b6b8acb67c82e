import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dashboard, expect, test } from './fixtures';

const PEOPLE = [
  ['Ada Lovelace', 'ada@example.com', 'editor'],
  ['Grace Hopper', 'grace@example.com', 'viewer'],
  ['Alan Turing', 'alan@example.com', 'none'],
  ['Katherine Johnson', 'katherine@example.com', 'editor'],
] as const;

// Each run attaches the picture and writes test-results/dashboard.png. docs/screenshot.png (the
// README's) is a copy of that file, updated by hand when the dashboard's look changes.
test('screenshot of the dashboard with a few users', async ({ page, api }, testInfo) => {
  for (const [name, email, role] of PEOPLE) expect((await api.post('/api/users', { data: { name, email, role } })).status()).toBe(201);

  await page.goto('/');
  const ui = dashboard(page);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(PEOPLE.length);
  await expect(ui.rows.first()).toContainText('Katherine Johnson'); // newest first

  const png = await page.screenshot({ fullPage: true, animations: 'disabled' });
  await testInfo.attach('dashboard', { body: png, contentType: 'image/png' });
  await writeFile(path.join(testInfo.project.outputDir, 'dashboard.png'), png);
});
