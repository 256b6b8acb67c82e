// "Select all 60 users that match": the whole view, not just the page, deleted as a job with a
// progress notice, users added after the view was seen left alone, and an Undo that brings them all
// back — while another browser watches the directory follow.
import AxeBuilder from '@axe-core/playwright';
import { countText, createUser, createUsers, dashboard, expect, test, uniqueEmail } from './fixtures';

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
