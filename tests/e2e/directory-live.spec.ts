// Changes made in one browser reach another that shows the first page, a later page, or a sorted
// search: only rows that belong to the visible window appear, move or leave; the total follows;
// and events outside the window ask the server nothing.
import { ADMIN_EMAIL } from './credentials';
import type { Page } from '@playwright/test';
import {
  countText,
  createUser,
  createUsers,
  dashboard,
  deleteUser,
  expect,
  listPage,
  patchUser,
  requestsTo,
  test,
  uniqueEmail,
  type User,
} from './fixtures';

// Two browsers, one of them changing users through its forms, on a 2-core machine.
test.describe.configure({ timeout: 60_000 });

/** Another person's browser, changing users through the dashboard's own forms. */
async function changer(page: Page) {
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  return {
    async create(name: string): Promise<string> {
      const email = uniqueEmail('changer');
      await ui.name.fill(name);
      await ui.email.fill(email);
      await ui.submit.click();
      await expect(ui.formStatus).toHaveText(`Added ${name}.`);
      return email;
    },
    /** Renames a user on the edit page, which returns to a search for the user. */
    async rename(user: User, name: string): Promise<void> {
      const back = `/?q=${encodeURIComponent(user.email)}`;
      await page.goto(`/users/${user.id}/edit?return=${encodeURIComponent(back)}`);
      const form = ui.editForm(user.name);
      await form.getByLabel('Name', { exact: true }).fill(name);
      await form.getByRole('button', { name: 'Save' }).click();
      await expect(page).toHaveURL(/\/\?q=/);
      await expect(ui.rowOf(user.id)).toContainText(name);
    },
    /** Deletes a user with its row's Delete button, found by searching for its email. */
    async remove(user: User): Promise<void> {
      await page.goto(`/?q=${encodeURIComponent(user.email)}`);
      await ui.deleteButton(user.name).click();
      await expect(ui.count).toHaveText(countText(0, user.email));
    },
  };
}

/** The names `ui.names` shows of these users: all but the first admin's (the person signed in). */
const names = (users: User[]) => users.filter((u) => u.email !== ADMIN_EMAIL).map((u) => u.name);

test('on the first page: a new user appears at the top, an edit changes its row in place, a delete refills the page with one request', async ({
  page,
  api,
  openBrowser,
}) => {
  await createUsers(api, 'First', 60);
  const all = (await listPage(api, { limit: '200' })).users; // newest first, as the dashboard shows them
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.names).toHaveText(names(all.slice(0, 50)));
  const lists = requestsTo(page, '/api/users');
  const other = await changer(await openBrowser());

  // New and changed rows are highlighted for a moment (watched from before the change: it is brief).
  const highlighted = (row: string) => page.locator(`tbody tr${row}.row-new`).waitFor({ state: 'attached', timeout: 10_000 });
  const nora = page.locator('tbody tr.row-new', { hasText: 'Newest Nora' }).waitFor({ state: 'attached', timeout: 10_000 });
  await other.create('Newest Nora');
  await nora;
  await expect(ui.names).toHaveText(['Newest Nora', ...names(all.slice(0, 49))]); // 50 rows: the last moved on
  await expect(ui.count).toHaveText(countText(61));

  const renamed = all[3]!;
  const rita = highlighted(`[data-user-id="${renamed.id}"]`);
  await other.rename(renamed, 'Renamed Rita');
  await rita;
  const shown = ['Newest Nora', ...names(all.slice(0, 3)), 'Renamed Rita', ...names(all.slice(4, 49))];
  await expect(ui.names).toHaveText(shown);

  // The deleted row fades out where it was; the page is fetched once to show 50 rows again.
  const gone = all[10]!;
  const fading = page.locator(`tbody tr[data-user-id="${gone.id}"].row-leaving`).waitFor({ state: 'attached', timeout: 10_000 });
  await other.remove(gone);
  await fading;
  await expect(ui.names).toHaveText([...shown.filter((name) => name !== gone.name), all[49]!.name]);
  await expect(ui.rowOf(gone.id)).toHaveCount(0);
  await expect(ui.count).toHaveText(countText(60));
  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(lists).toHaveLength(1);

  // The page's edges moved with the changes: Next starts right after the last row shown. Another
  // page is not news: none of its rows is highlighted.
  await ui.next.click();
  await expect(ui.names).toHaveText(names(all.slice(50)));
  expect(await page.locator('tbody tr.row-new').count()).toBe(0);

  // "Previous" leads back to the first page (by a cursor), which new users still join at the top.
  await ui.previous.click();
  await expect(ui.noPrevious).toBeVisible();
  const firstPage = [...shown.filter((name) => name !== gone.name), all[49]!.name];
  await expect(ui.names).toHaveText(firstPage);
  await other.create('After Previous Paula');
  await expect(ui.names).toHaveText(['After Previous Paula', ...firstPage.slice(0, 49)]);
  await expect(ui.count).toHaveText(countText(61));
  await expect(ui.noPrevious).toBeVisible();
});

test('on page 3: only changes to its own rows show, a newer user only raises the total, and nothing is fetched', async ({
  page,
  api,
  openBrowser,
}) => {
  await createUsers(api, 'Third', 110);
  const all = (await listPage(api, { limit: '200' })).users;
  const second = await listPage(api, { cursor: (await listPage(api)).nextCursor! });
  const ui = dashboard(page);
  const lists = requestsTo(page, '/api/users');
  await page.goto(`/?cursor=${second.nextCursor!}`);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  const third = all.slice(100);
  await expect(ui.names).toHaveText(names(third));
  const other = await changer(await openBrowser());

  // A user newer than every row belongs on page 1: the rows stay as they are.
  await other.create('Newer Nick');
  await expect(ui.count).toHaveText(countText(111));
  await expect(page.getByRole('status').filter({ hasText: '1 new user before this page' })).toBeVisible();
  await expect(ui.names).toHaveText(names(third));
  await expect(page.getByText('Newer Nick')).toHaveCount(0);

  // A row of this page changes in place.
  await other.rename(third[5]!, 'Renamed Ray');
  let shown = names(third).map((name, i) => (i === 5 ? 'Renamed Ray' : name));
  await expect(ui.names).toHaveText(shown);

  // A row of page 1 is renamed (nothing to see here), then a row of this page is deleted.
  await patchUser(api, all[10]!, { name: 'Renamed Elsewhere' });
  await other.remove(third[8]!);
  shown = shown.filter((name) => name !== third[8]!.name);
  await expect(ui.names).toHaveText(shown);
  await expect(ui.count).toHaveText(countText(110));

  // A row of page 1 is deleted: the total drops, the rows stay.
  await deleteUser(api, all[20]!.id);
  await expect(ui.count).toHaveText(countText(109));
  await expect(ui.names).toHaveText(shown);
  await expect(page.getByText('Renamed Elsewhere')).toHaveCount(0);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(lists).toEqual([]);

  // "show" goes to the first page, where the newer user is.
  await page.getByRole('status').filter({ hasText: '1 new user before this page' }).getByRole('link', { name: 'show' }).click();
  await expect(ui.names.first()).toHaveText('Newer Nick');
  await expect(ui.noPrevious).toBeVisible();
});

test('on a search sorted by name: users join, move and leave as they come to match or not, and nothing is fetched', async ({
  page,
  api,
  openBrowser,
}) => {
  // No email holds "ann" (uniqueEmail adds hex digits, which have no n).
  const person = (name: string) => createUser(api, name, uniqueEmail('person'));
  const ann = await person('Ann Adams');
  const hanna = await person('Hanna Berg');
  const joanne = await person('Joanne Cole');
  const bob = await person('Bob Dahl');
  await person('Zed Young');
  const ui = dashboard(page);
  const lists = requestsTo(page, '/api/users');
  await page.goto('/?q=ann&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.names).toHaveText(['Ann Adams', 'Hanna Berg', 'Joanne Cole']);
  await expect(ui.count).toHaveText(countText(3, 'ann'));
  const other = await changer(await openBrowser());

  await other.create('Dianne Ford');
  await expect(ui.names).toHaveText(['Ann Adams', 'Dianne Ford', 'Hanna Berg', 'Joanne Cole']);
  await expect(ui.count).toHaveText(countText(4, 'ann'));

  // A user who does not match is not shown; one renamed to match is, in its place by name.
  await other.create('Xavier Nope');
  await other.rename(bob, 'Bob Annson');
  await expect(ui.names).toHaveText(['Ann Adams', 'Bob Annson', 'Dianne Ford', 'Hanna Berg', 'Joanne Cole']);
  await expect(ui.count).toHaveText(countText(5, 'ann'));

  // Renamed, a row moves to where its new name sorts, highlighted.
  const moved = page.locator(`tbody tr[data-user-id="${ann.id}"].row-new`).waitFor({ state: 'attached', timeout: 10_000 });
  await other.rename(ann, 'Zoe Annabel');
  await moved;
  await expect(ui.names).toHaveText(['Bob Annson', 'Dianne Ford', 'Hanna Berg', 'Joanne Cole', 'Zoe Annabel']);

  // Renamed so it no longer matches, a row leaves; so does a deleted one.
  await other.rename(hanna, 'Helga Berg');
  await expect(ui.names).toHaveText(['Bob Annson', 'Dianne Ford', 'Joanne Cole', 'Zoe Annabel']);
  await expect(ui.count).toHaveText(countText(4, 'ann'));
  await other.remove(joanne);
  await expect(ui.names).toHaveText(['Bob Annson', 'Dianne Ford', 'Zoe Annabel']);
  await expect(ui.count).toHaveText(countText(3, 'ann'));
  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(lists).toEqual([]);
});
