// The directory without JavaScript: searching is a GET form, sorting and paging are links, and
// "Edit" is a link to the edit page, whose form posts and returns to the view it came from.
import { ADMIN_EMAIL } from './credentials';
import { countText, createUser, createUsers, dashboard, expect, listPage, patchUser, test, uniqueEmail } from './fixtures';

const plain = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Plain ${String(from + i).padStart(3, '0')}`);

test('without JavaScript, sorting, paging and searching work through links and the search form', async ({ api, openBrowser }) => {
  await createUsers(api, 'Plain', 55);
  const newestFirst = (await listPage(api, { limit: '200' })).users.filter((u) => u.email !== ADMIN_EMAIL).map((u) => u.name);
  const page = await openBrowser({ javaScriptEnabled: false });
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.count).toHaveText(countText(55));
  await expect(ui.names).toHaveText(newestFirst.slice(0, 50));
  await expect(ui.column('Created')).toHaveAttribute('aria-sort', 'descending');

  await ui.sortBy('Name').click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc$/);
  await expect(ui.column('Name')).toHaveAttribute('aria-sort', 'ascending');
  await expect(ui.column('Created')).toHaveAttribute('aria-sort', 'none');
  await expect(ui.names).toHaveText(plain(1, 50));
  await expect(ui.noPrevious).toBeVisible();

  await ui.next.click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc&cursor=[\w-]+$/);
  await expect(ui.names).toHaveText(plain(51, 55));
  await expect(ui.noNext).toBeVisible();
  await ui.previous.click();
  await expect(ui.names).toHaveText(plain(1, 50));
  await ui.sortBy('Name').click();
  await expect(ui.column('Name')).toHaveAttribute('aria-sort', 'descending');
  // The first admin (Zuzana Admin) sorts last by name, so first here: the page holds 49 of the tests' users.
  await expect(ui.names).toHaveText(plain(7, 55).reverse());

  // The search form keeps the sort in hidden fields (and sends its role filter, empty: every role).
  await ui.search.fill('plain 05');
  await ui.searchButton.click();
  await expect(page).toHaveURL(/\/\?sort=name&q=plain\+05&role=$/);
  await expect(ui.search).toHaveValue('plain 05');
  await expect(ui.count).toHaveText(countText(6, 'plain 05'));
  await expect(ui.names).toHaveText(plain(50, 55).reverse());
  await expect(ui.noNext).toBeVisible();

  await ui.search.fill('nobody');
  await ui.search.press('Enter');
  await expect(page).toHaveURL(/\/\?sort=name&q=nobody&role=$/);
  await expect(ui.count).toHaveText(countText(0, 'nobody'));
  await expect(page.getByText('No users match this search.')).toBeVisible();
});

test('without JavaScript, Edit opens the edit page, which refuses a stale save keeping what was typed, and then returns to the view', async ({ api, openBrowser }) => {
  const nora = await createUser(api, 'Nora Plain', uniqueEmail('nora'));
  await createUser(api, 'Abe Plain', uniqueEmail('abe'));
  const page = await openBrowser({ javaScriptEnabled: false });
  const ui = dashboard(page);
  const view = '/?sort=name&order=asc';
  await page.goto(view);
  await expect(ui.names).toHaveText(['Abe Plain', 'Nora Plain']);

  await ui.editLink('Nora Plain').click();
  await expect(page).toHaveURL(`/users/${nora.id}/edit?return=${encodeURIComponent(view)}`);
  await expect(page.getByRole('heading', { name: 'Edit Nora Plain' })).toBeVisible();
  const form = ui.editForm('Nora Plain');
  const name = form.getByLabel('Name', { exact: true });
  const email = form.getByLabel('Email', { exact: true });
  await expect(name).toHaveValue('Nora Plain');
  await expect(email).toHaveValue(nora.email);

  // Someone else changes the email after the page loaded: the save is refused, with their values.
  const theirs = await patchUser(api, nora, { email: uniqueEmail('theirs') });
  await name.fill('Zara Plain');
  await form.getByRole('button', { name: 'Save' }).click();
  await expect(form.getByRole('status')).toHaveText('Changed by someone else while you were editing: your changes are kept. Check them and save again.');
  // What was typed is kept, and their email comes in: saving again keeps both.
  await expect(name).toHaveValue('Zara Plain');
  await expect(email).toHaveValue(theirs.email);

  await form.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(view);
  await expect(ui.names).toHaveText(['Abe Plain', 'Zara Plain']);
  await expect(ui.row(theirs.email)).toContainText('Zara Plain');
  expect((await listPage(api, { q: 'zara' })).users).toMatchObject([{ id: nora.id, name: 'Zara Plain', email: theirs.email, version: 3 }]);
});
