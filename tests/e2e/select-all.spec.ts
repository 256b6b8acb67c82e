// "Select all 60 users that match": the whole view, not just the page, deleted as a job with a
// progress notice, users added after the view was seen left alone, and an Undo that brings them all
// back — while another browser watches the directory follow.
import AxeBuilder from '@axe-core/playwright';
import { countText, createUser, createUsers, dashboard, expect, listPage, test, uniqueEmail } from './fixtures';

test.describe.configure({ timeout: 90_000 });

test('select all that match → Delete selected → Undo, live in another browser', async ({ page, api, openBrowser }) => {
  await createUsers(api, 'Whole', 60);
  const ui = dashboard(page);
  const other = await openBrowser();
  const watcher = dashboard(other);
  for (const tab of [page, other]) {
    await tab.goto('/?q=whole&sort=name&order=asc');
    await expect(dashboard(tab).connection).toHaveText('Connected (SSE)');
    await expect(dashboard(tab).count).toHaveText(countText(60, 'whole'));
  }

  await ui.selectPage.check();
  await expect(ui.selectedCount).toHaveText('50 selected');
  await page.getByRole('button', { name: 'Select all 60 users that match “whole”' }).click();
  await expect(page.getByText('All 60 users that match “whole” are selected.')).toBeVisible();
  await expect(ui.selectedCount).toHaveText('All 60 users that match “whole” selected');
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  // Someone adds a matching user after the view was seen: the delete leaves them alone.
  await createUser(api, 'Whole Later', uniqueEmail('whole-later'));
  await expect(watcher.count).toHaveText(countText(61, 'whole'));

  await ui.deleteSelected.click();
  const notice = page.getByTestId('bulk-job-notice');
  await expect(notice).toContainText('Deleted 60 users', { timeout: 30_000 });
  await expect(watcher.names).toHaveText(['Whole Later']);
  await expect(watcher.count).toHaveText(countText(1, 'whole'));
  await expect(ui.names).toHaveText(['Whole Later']);

  // The notice with its Undo, once the deleted rows have faded out (mid-fade, their text is faint).
  await expect(page.locator('tbody tr[aria-hidden="true"]')).toHaveCount(0);
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  await notice.getByRole('button', { name: 'Undo' }).click();
  await expect(notice).toContainText('Restored 60 users.', { timeout: 30_000 });
  await expect(watcher.count).toHaveText(countText(61, 'whole'));
  await expect(ui.count).toHaveText(countText(61, 'whole'));
  await expect(watcher.names.first()).toHaveText('Whole 001');
});

test('Restore all on a bulk delete’s activity entry brings its users back', async ({ page, api }) => {
  await createUsers(api, 'Again', 55);
  const ui = dashboard(page);
  await page.goto('/?q=again&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.selectPage.check();
  await page.getByRole('button', { name: 'Select all 55 users that match “again”' }).click();
  await ui.deleteSelected.click();
  await expect(page.getByTestId('bulk-job-notice')).toContainText('Deleted 55 users', { timeout: 30_000 });

  await page.goto('/activity');
  const entry = page.getByTestId('activity-entry').filter({ hasText: 'deleted 55 users (users matching “again”)' });
  await expect(entry).toHaveCount(1);
  await entry.getByRole('button', { name: 'Restore all 55' }).click();
  await expect(entry.getByRole('status')).toHaveText('Restoring 55 users: the activity lists the restore when it ends.');
  // The restore's own entry arrives live when it ends.
  await expect(page.getByTestId('activity-entry').filter({ hasText: 'restored 55 users (users matching “again”)' })).toHaveCount(1, { timeout: 30_000 });
  await page.goto('/?q=again');
  await expect(ui.count).toHaveText(countText(55, 'again'));

  // The bulk delete's entry links to its users: each one's own entry, 50 a page.
  await page.goto('/activity');
  await entry.getByRole('link', { name: 'See the 55 users' }).click();
  await expect(page.getByText('Every user changed in a bulk delete of users matching “again”, newest first.')).toBeVisible();
  const users = page.getByTestId('activity-entry');
  await expect(users).toHaveCount(50);
  await expect(users.first()).toContainText(/deleted Again \d+/);
  await page.getByRole('link', { name: 'Older' }).click();
  await expect(users).toHaveCount(5);
});

test('Change role on all that match gives the whole view the role, as a job', async ({ page, api }) => {
  await createUsers(api, 'Rolewide', 55);
  const ui = dashboard(page);
  await page.goto('/?q=rolewide&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.selectPage.check();
  await page.getByRole('button', { name: 'Select all 55 users that match “rolewide”' }).click();
  await page.getByLabel('Role for the selected users').selectOption('editor');
  await page.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByTestId('bulk-job-notice')).toHaveText('Changed the role of 55 users (users matching “rolewide” → Editor).', { timeout: 30_000 });
  await expect(ui.row('Rolewide 001').locator('td[data-column="role"]')).toHaveText('Editor');
  expect((await listPage(api, { q: 'rolewide', role: 'editor' })).total).toBe(55);
});
