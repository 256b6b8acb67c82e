import { ADMIN_NAME, ANONYMOUS } from './credentials';
import { dashboard, expect, plantSessionToken, sessionCookie, test, uniqueEmail } from './fixtures';

// The activity page: every change on record, newest first, live like the dashboard — who made it
// and what it was.

test('shows a create, an edit and a delete made in another browser, live, with who and what', async ({ page, browser, baseURL }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Activity' }).click();
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.getByRole('heading', { name: 'Activity', level: 1 })).toBeVisible();
  await expect(page.getByTestId('connection-status')).toHaveText('Connected (SSE)');
  const entries = page.getByTestId('activity-entry');

  // The admin, signed in in another browser too, makes three changes through the dashboard: the
  // activity names them.
  const token = plantSessionToken(new Date(Date.now() + 60 * 60_000));
  const who = ADMIN_NAME;
  const context = await browser.newContext({ storageState: ANONYMOUS });
  await context.addCookies([sessionCookie(token, baseURL!)]);
  const other = await context.newPage();
  await other.goto('/');
  const ui = dashboard(other);
  const email = uniqueEmail('audited');
  await ui.name.fill('Ada Audit');
  await ui.email.fill(email);
  await ui.submit.click();
  await expect(ui.row(email)).toHaveCount(1);

  await expect(entries.first()).toContainText(`${who} created Ada Audit <${email}>`);

  await ui.editLink('Ada Audit').click();
  const editor = ui.editForm('Ada Audit');
  await editor.getByLabel('Name', { exact: true }).fill('Ada Audited');
  await editor.getByRole('button', { name: 'Save' }).click();
  await expect(ui.row('Ada Audited')).toHaveCount(1);

  await expect(entries.first()).toContainText(`${who} edited Ada Audited <${email}>`);
  await expect(entries.first()).toContainText('name: “Ada Audit” → “Ada Audited”');

  await ui.deleteButton('Ada Audited').click();
  await expect(ui.row(email)).toHaveCount(0);

  await expect(entries.first()).toContainText(`${who} deleted Ada Audited <${email}>`);
  await expect(entries.nth(1)).toContainText('edited Ada Audited');
  await expect(entries.nth(2)).toContainText('created Ada Audit');
  await expect(page.getByText(/new change/)).toBeAttached(); // announced to screen readers

  // The user's own history outlives the user: its name links to it.
  await entries.first().getByRole('link', { name: 'Ada Audited' }).click();
  await expect(page).toHaveURL(/\/activity\?user=\d+$/);
  await expect(entries).toHaveCount(3);
  await expect(page.getByRole('link', { name: 'All changes' })).toBeVisible();
  await context.close();
});
