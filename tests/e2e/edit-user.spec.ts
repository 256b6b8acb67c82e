// Editing a user with JavaScript: inline in its row, and on the edit page that the "Edit" link
// leads to; an edit made meanwhile by someone else is never overwritten.
import type { Locator, Page } from '@playwright/test';
import { createUser, dashboard, expect, patchUser, test, uniqueEmail, type User } from './fixtures';

const STALE = 'Changed by someone else while you were editing: your changes are kept. Check them and save again.';

async function userNow(page: Page, id: number): Promise<User> {
  const response = await page.request.get(`/api/users/${id}`);
  expect(response.status()).toBe(200);
  return (await response.json()) as User;
}

/** The fields of an editor form. */
function fields(form: Locator) {
  return {
    form,
    name: form.getByLabel('Name', { exact: true }),
    email: form.getByLabel('Email', { exact: true }),
    save: form.getByRole('button', { name: 'Save' }),
    cancel: form.getByRole('link', { name: 'Cancel' }).or(form.getByRole('button', { name: 'Cancel' })),
    status: form.getByRole('status'),
  };
}

test('Edit opens an editor in the row; Save changes the user in place, Cancel changes nothing', async ({ page, api }) => {
  await createUser(api, 'Older Olive', uniqueEmail('olive'));
  const user = await createUser(api, 'Edna Edit', uniqueEmail('edna'));
  const ned = await createUser(api, 'Newer Ned', uniqueEmail('ned'));
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.editLink('Edna Edit')).toHaveAttribute('href', `/users/${user.id}/edit?return=${encodeURIComponent('/')}`);

  await ui.editLink('Edna Edit').click();
  const form = ui.editForm('Edna Edit');
  const editor = fields(form);
  await expect(ui.rowOf(user.id).getByRole('form', { name: 'Edit Edna Edit' })).toBeVisible(); // in its own row
  await expect(page).toHaveURL(/\/$/); // no navigation
  await expect(editor.name).toHaveValue('Edna Edit');
  await expect(editor.email).toHaveValue(user.email);
  await editor.name.fill('Cancelled Change');
  await editor.cancel.click();
  await expect(form).toHaveCount(0);
  await expect(ui.names).toHaveText(['Newer Ned', 'Edna Edit', 'Older Olive']);

  await ui.editLink('Edna Edit').click();
  const email = uniqueEmail('edited');
  await editor.name.fill('Edna Edited');
  await editor.email.fill(email);
  await editor.save.click();
  await expect(form).toHaveCount(0);
  await expect(ui.names).toHaveText(['Newer Ned', 'Edna Edited', 'Older Olive']); // same place
  await expect(ui.row(email)).toContainText('Edna Edited');
  expect(await userNow(page, user.id)).toMatchObject({ name: 'Edna Edited', email, version: 2 });

  // A field the rules refuse keeps the editor open, with the error on the field.
  await ui.editLink('Edna Edited').click();
  const again = fields(ui.editForm('Edna Edited'));
  await again.email.fill('not-an-email');
  await again.save.click();
  await expect(again.email).toHaveAccessibleDescription('Enter a valid email address');
  await expect(again.email).toHaveValue('not-an-email');
  expect((await userNow(page, user.id)).version).toBe(2);

  // So does another user's email, in any case (the API's 409): both users stay as they were.
  await again.email.fill(ned.email.toUpperCase());
  await again.save.click();
  await expect(again.email).toHaveAccessibleDescription('A user with this email already exists');
  await expect(again.email).toHaveValue(ned.email.toUpperCase());
  expect(await userNow(page, user.id)).toMatchObject({ email, version: 2 });
  expect(await userNow(page, ned.id)).toEqual(ned);
});

test('inline: a save after someone else changed the user says so, keeps what was typed beside their value, and saves only when tried again', async ({
  page,
  api,
}) => {
  const user = await createUser(api, 'Stella Stale', uniqueEmail('stella'));
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.editLink('Stella Stale').click();
  // (Found by row: whether its label follows the live name is the app's choice.)
  const editor = fields(ui.rowOf(user.id).getByRole('form'));
  await editor.name.fill('Stella Mine');

  // Someone else saves first, at the version the editor was opened with.
  const theirs = await patchUser(api, user, { name: 'Stella Theirs' });
  expect(theirs.version).toBe(2);
  // Their change reaches this page (a later event arrives after it): what is being typed stays.
  const marker = await createUser(api, 'Marker Mo', uniqueEmail('marker'));
  await expect(ui.row(marker.email)).toHaveCount(1);
  await expect(editor.name).toHaveValue('Stella Mine');
  await editor.save.click();

  await expect(editor.status).toHaveText(STALE);
  // Nothing typed is lost: the field keeps it, and says what they saved in it.
  await expect(editor.name).toHaveValue('Stella Mine');
  await expect(editor.name).toHaveAccessibleDescription('Saved meanwhile by someone else: “Stella Theirs”');
  await expect(editor.email).toHaveValue(user.email);
  expect(await userNow(page, user.id)).toMatchObject({ name: 'Stella Theirs', version: 2 });

  // Now at their version: saving again goes through, as typed.
  await editor.save.click();
  await expect(editor.form).toHaveCount(0);
  await expect(ui.row(user.email)).toContainText('Stella Mine');
  expect(await userNow(page, user.id)).toMatchObject({ name: 'Stella Mine', version: 3 });
});

test('the edit page saves and returns to the view it came from; a stale save there says so', async ({ page, api }) => {
  const user = await createUser(api, 'Paige Page', uniqueEmail('paige'));
  await createUser(api, 'Abe Alpha', uniqueEmail('abe'));
  const ui = dashboard(page);
  const back = '/?sort=name&order=asc';
  await page.goto(`/users/${user.id}/edit?return=${encodeURIComponent(back)}`);
  await expect(page.getByRole('heading', { name: 'Edit Paige Page' })).toBeVisible();
  const editor = fields(ui.editForm('Paige Page'));
  await expect(editor.name).toHaveValue('Paige Page');
  await expect(editor.cancel).toHaveAttribute('href', back);

  // Stale: someone else changed the email after this page loaded.
  const theirs = await patchUser(api, user, { email: uniqueEmail('theirs') });
  await editor.name.fill('Zed Page');
  await editor.save.click();
  await expect(editor.status).toHaveText(STALE);
  // Mine where I typed, theirs where only they changed: nothing to choose between, so no note.
  await expect(editor.name).toHaveValue('Zed Page');
  await expect(editor.email).toHaveValue(theirs.email);
  await expect(editor.email).not.toHaveAttribute('aria-describedby');
  await expect(page).toHaveURL(/\/users\/\d+\/edit\?return=/);

  await editor.save.click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc$/);
  await expect(ui.column('Name')).toHaveAttribute('aria-sort', 'ascending');
  await expect(ui.names).toHaveText(['Abe Alpha', 'Zed Page']);
  await expect(ui.row(theirs.email)).toContainText('Zed Page');
  expect(await userNow(page, user.id)).toMatchObject({ name: 'Zed Page', email: theirs.email, version: 3 });
});
