// Deleting a selection: checkboxes on the page's rows (click, shift-click, the header's "all of this
// page"), "Delete selected", one notice with Undo for all of them; live in another browser; and a
// plain form without JavaScript.
import { ADMIN_STATE } from './credentials';
import { countText, createUsers, dashboard, deleteUser, expect, test } from './fixtures';

test.describe.configure({ timeout: 60_000 });

test('shift-click selects a range; Delete selected and Undo reach another browser', async ({ page, api, openBrowser }) => {
  const made = await createUsers(api, 'Bulk', 5);
  const ui = dashboard(page);
  const other = await openBrowser();
  const watcher = dashboard(other);
  for (const [tab, view] of [
    [page, ui],
    [other, watcher],
  ] as const) {
    await tab.goto('/?sort=name&order=asc');
    await expect(view.connection).toHaveText('Connected (SSE)');
    await expect(view.rows).toHaveCount(5);
  }

  // Bulk 002, then shift-click Bulk 004: 002–004 are selected, and the count says so.
  await ui.checkbox('Bulk 002').click();
  await ui.checkbox('Bulk 004').click({ modifiers: ['Shift'] });
  for (const name of ['Bulk 002', 'Bulk 003', 'Bulk 004']) await expect(ui.checkbox(name)).toBeChecked();
  for (const name of ['Bulk 001', 'Bulk 005']) await expect(ui.checkbox(name)).not.toBeChecked();
  await expect(ui.selectedCount).toHaveText('3 selected');
  // Some of the page, not all: the header's checkbox is mixed.
  await expect(ui.selectPage).toHaveJSProperty('indeterminate', true);

  await ui.deleteSelected.click();
  const notice = page.getByTestId('undo-notice');
  await expect(notice).toContainText('Deleted 3 users');
  await expect(watcher.names).toHaveText(['Bulk 001', 'Bulk 005']);
  await expect(watcher.count).toHaveText(countText(2));
  // The deleted rows left the selection with them.
  await expect(ui.selectedCount).toHaveText('');

  await notice.getByRole('button', { name: 'Undo' }).click();
  await expect(notice).toHaveText('Restored 3 users.');
  await expect(watcher.names).toHaveText(['Bulk 001', 'Bulk 002', 'Bulk 003', 'Bulk 004', 'Bulk 005']);
  await expect(ui.names).toHaveText(['Bulk 001', 'Bulk 002', 'Bulk 003', 'Bulk 004', 'Bulk 005']);
  // Same ids as before: the watcher's rows are the users made at the start.
  await expect(watcher.rowOf(made[2]?.id ?? 0)).toContainText('Bulk 003');
});

test('the header selects the page; a row deleted elsewhere leaves the selection; a new view starts afresh', async ({ page, api }) => {
  const made = await createUsers(api, 'Pagesel', 4);
  const ui = dashboard(page);
  // A search, so the page holds only these four (not the admin signed in).
  await page.goto('/?q=pagesel&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(4);

  await ui.selectPage.check();
  await expect(ui.selectedCount).toHaveText('4 selected');
  for (const name of ['Pagesel 001', 'Pagesel 004']) await expect(ui.checkbox(name)).toBeChecked();

  await deleteUser(api, made[0]?.id ?? 0);
  await expect(ui.rows).toHaveCount(3);
  await expect(ui.selectedCount).toHaveText('3 selected');
  await expect(ui.selectPage).toBeChecked();

  // Sorting is another view: nothing is selected in it.
  await ui.sortBy('Email').click();
  await expect(ui.column('Email')).toHaveAttribute('aria-sort', 'ascending');
  await expect(ui.selectedCount).toHaveText('');
  await expect(ui.selectPage).not.toBeChecked();

  await ui.selectPage.check();
  await ui.deleteSelected.click();
  await expect(page.getByTestId('undo-notice')).toContainText('Deleted 3 users');
  await expect(ui.rows).toHaveCount(0);
});

test('without JavaScript, the checkboxes and Delete selected are a plain form', async ({ browser, api }) => {
  await createUsers(api, 'Nojsbulk', 3);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const page = await context.newPage();
  const ui = dashboard(page);
  await page.goto('/?sort=name&order=asc');
  await expect(ui.rows).toHaveCount(3);
  await ui.checkbox('Nojsbulk 001').check();
  await ui.checkbox('Nojsbulk 003').check();
  await Promise.all([page.waitForEvent('load'), ui.deleteSelected.click()]);
  await expect(ui.names).toHaveText(['Nojsbulk 002']);
  await expect(page.getByTestId('undo-notice')).toContainText('Deleted 2 users');
  await Promise.all([page.waitForEvent('load'), page.getByTestId('undo-notice').getByRole('button', { name: 'Undo' }).click()]);
  await expect(ui.names).toHaveText(['Nojsbulk 001', 'Nojsbulk 002', 'Nojsbulk 003']);
  await context.close();
});

test('Delete selected with nothing selected says what to do, and deletes no one', async ({ page, api }) => {
  await createUsers(api, 'Unselected', 2);
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.deleteSelected.click();
  await expect(page.locator('#bulk-delete').getByRole('alert')).toHaveText('Select the users first');
  await expect(ui.rows).toHaveCount(2);
});
