import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createUser, dashboard, expect, test } from './fixtures';

const PEOPLE = [
  ['Ada Lovelace', 'ada@example.com'],
  ['Grace Hopper', 'grace@example.com'],
  ['Alan Turing', 'alan@example.com'],
  ['Katherine Johnson', 'katherine@example.com'],
] as const;

// Each run attaches the picture and writes test-results/dashboard.png. docs/screenshot.png (the
// README's) is a copy of that file, updated by hand when the dashboard's look changes.
test('screenshot of the dashboard with a few users', async ({ page, api }, testInfo) => {
  for (const [name, email] of PEOPLE) await createUser(api, name, email);

  await page.goto('/');
  const ui = dashboard(page);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(PEOPLE.length);
  await expect(ui.rows.first()).toContainText('Katherine Johnson'); // newest first

  const png = await page.screenshot({ fullPage: true, animations: 'disabled' });
  await testInfo.attach('dashboard', { body: png, contentType: 'image/png' });
  await writeFile(path.join(testInfo.project.outputDir, 'dashboard.png'), png);
});
