// Undoing a delete: "Deleted … · Undo" after a delete on the dashboard brings the user back, live in
// another browser; later, "Restore" on the delete's activity entry does the same; both also work
// without JavaScript.
import { ADMIN_STATE } from './credentials';
import { countText, createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

test.describe.configure({ timeout: 60_000 });

test('Undo after a delete brings the user back with their created time, in this browser and another', async ({ page, api, openBrowser }) => {
  const email = uniqueEmail('undo');
  const user = await createUser(api, 'Una Doe', email);
  const ui = dashboard(page);
  const other = await openBrowser();
  const watcher = dashboard(other);
  for (const [tab, view] of [
    [page, ui],
    [other, watcher],
  ] as const) {
    await tab.goto('/');
    await expect(view.connection).toHaveText('Connected (SSE)');
    await expect(view.row(email)).toHaveCount(1);
  }

  await ui.deleteButton('Una Doe').click();
  const notice = page.getByTestId('undo-notice');
  await expect(notice).toContainText('Deleted Una Doe');
  await expect(watcher.row(email)).toHaveCount(0);
  await expect(watcher.count).toHaveText(countText(0));

  // The notice is a status region, its Undo a button reached from the keyboard.
  await expect(notice).toHaveAttribute('role', 'status');
  const undo = notice.getByRole('button', { name: 'Undo' });
  await undo.focus();
  await page.keyboard.press('Enter');
  await expect(notice).toHaveText('Restored Una Doe.');
  await expect(ui.rowOf(user.id)).toContainText(email);
  await expect(watcher.rowOf(user.id)).toContainText('Una Doe');
  await expect(watcher.count).toHaveText(countText(1));
  await expect(watcher.rowOf(user.id).locator('time')).toHaveAttribute('datetime', user.createdAt);
});

test('the notice goes after 10 s; Restore on the activity entry brings the user back later', async ({ page, api }) => {
  const email = uniqueEmail('later');
  await createUser(api, 'Lena Later', email);
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.deleteButton('Lena Later').click();
  const notice = page.getByTestId('undo-notice');
  await expect(notice).toContainText('Deleted Lena Later');
  await expect(notice).toBeEmpty({ timeout: 15_000 });

  await page.goto('/activity');
  const entry = page.getByTestId('activity-entry').filter({ hasText: 'deleted Lena Later' });
  await entry.getByRole('button', { name: 'Restore Lena Later' }).click();
  await expect(entry).toContainText('Restored Lena Later.');
  await expect(page.getByTestId('activity-entry').first()).toContainText(`restored Lena Later <${email}>`);
  // Again: she is back already.
  await entry.getByRole('button', { name: 'Restore Lena Later' }).click();
  await expect(entry).toContainText('This user is in the directory already.');
  await page.goto('/');
  await expect(ui.row(email)).toContainText('Lena Later');
});

test('without JavaScript, Undo is a form too', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const page = await context.newPage();
  const ui = dashboard(page);
  await page.goto('/');
  const email = uniqueEmail('nojs-undo');
  await ui.name.fill('Noel Undo');
  await ui.email.fill(email);
  await Promise.all([page.waitForEvent('load'), ui.submit.click()]);
  await Promise.all([page.waitForEvent('load'), ui.deleteButton('Noel Undo').click()]);
  await expect(ui.row(email)).toHaveCount(0);
  const notice = page.getByTestId('undo-notice');
  await expect(notice).toContainText('Deleted Noel Undo');
  await Promise.all([page.waitForEvent('load'), notice.getByRole('button', { name: 'Undo' }).click()]);
  await expect(ui.row(email)).toContainText('Noel Undo');
  await context.close();
});
