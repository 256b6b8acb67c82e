import { readFile } from 'node:fs/promises';
import type { CDPSession, Page } from '@playwright/test';
import { countText, dashboard, expect, test, uniqueEmail } from './fixtures';

// "Import CSV" (issue 22, points 3 and 4): one browser uploads a file and watches its progress bar
// to the end; another browser's dashboard shows the new users without receiving a frame per row;
// the report of the failed rows downloads.

const ROWS = 600;

/** The names of the stream's frames that reach `page`'s EventSource, as Chromium's network log sees them. */
async function streamFrames(page: Page): Promise<{ frames: { type: string; data: string }[]; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  const frames: { type: string; data: string }[] = [];
  cdp.on('Network.eventSourceMessageReceived', (message) => frames.push({ type: message.eventName, data: message.data }));
  await cdp.send('Network.enable');
  return { frames, cdp };
}

test('an uploaded CSV is imported with a live progress bar, and reaches another browser without a frame per row', async ({ page, openBrowser }) => {
  const tag = uniqueEmail('imp').split('@')[0]!.replace('.', '-');
  const watcher = await openBrowser();
  const watched = await streamFrames(watcher);
  await watcher.goto('/');
  await expect(dashboard(watcher).connection).toHaveText('Connected (SSE)');
  await expect(dashboard(watcher).count).toHaveText(countText(0));

  await page.goto('/');
  const ui = dashboard(page);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await page.getByText('Import CSV', { exact: true }).click();
  const lines = ['name,email', ...Array.from({ length: ROWS }, (_, i) => `Imported ${String(i).padStart(3, '0')},${tag}-${i}@example.com`), 'No Email,'];
  await page.getByLabel('CSV file').setInputFiles({ name: 'staff.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
  await page.getByRole('button', { name: 'Upload and import' }).click();

  const progress = page.getByTestId('import-progress');
  await expect(progress.getByRole('progressbar', { name: 'Import of staff.csv' })).toBeVisible();
  await expect(page.getByTestId('import-status')).toHaveText('Imported staff.csv', { timeout: 30_000 });
  await expect(page.getByTestId('import-counts')).toHaveText(`${ROWS + 1} rows read: ${ROWS} new, 0 updated, 0 unchanged, 1 failed`);
  await expect(ui.count).toHaveText(countText(ROWS));

  // The other browser: every new user counted and listed, from a handful of progress frames.
  await expect(dashboard(watcher).count).toHaveText(countText(ROWS));
  await expect(dashboard(watcher).rows.first()).toContainText(`${tag}-`);
  const imports = watched.frames.filter((frame) => frame.type === 'users_imported');
  expect(imports.length).toBeGreaterThanOrEqual(1);
  expect(imports.length).toBeLessThan(10);
  expect(watched.frames.filter((frame) => frame.type === 'user_created')).toEqual([]);

  // The report: the line, the field and why.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the report \(1 failed row\)/ }).click()]);
  expect(download.suggestedFilename()).toBe('staff-report.csv');
  const report = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n');
  expect(report).toEqual(['line,field,message', `${ROWS + 2},email,Email is required`]);

  // The activity lists the import once, with its counts.
  await page.goto('/activity');
  await expect(page.getByTestId('activity-entry').first()).toContainText(`imported ${ROWS} users from staff.csv`);
  await expect(page.getByTestId('activity-entry').first()).toContainText('1 failed');
});

test('a file that is not a CSV with a header row is refused at once with the reason, and nothing is imported', async ({ page }) => {
  await page.goto('/');
  await page.getByText('Import CSV', { exact: true }).click();
  await page.getByLabel('CSV file').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from('Ada Lovelace,ada@example.com\n') });
  await page.getByRole('button', { name: 'Upload and import' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'header row' })).toContainText('The first line must be a header row naming the columns: name, email');
  await expect(page.getByTestId('import-progress')).toHaveCount(0);
  await expect(dashboard(page).count).toHaveText(countText(0));
});
