// Acting on a selection beyond Delete: an admin's "Change role" (live in another browser, refused
// for editors, a plain form without JavaScript) and "Export selected" (a CSV of just those rows).
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import type { ActivityDTO } from '@/lib/shared/dto';
import { ADMIN_STATE, ANONYMOUS } from './credentials';
import { createUsers, dashboard, expect, listPage, personWithRole, signInThroughInvite, test } from './fixtures';

test.describe.configure({ timeout: 60_000 });

const roleCell = (page: Page, name: string) => dashboard(page).row(name).locator('td[data-column="role"]');

test('an admin changes the role of a selection; another browser sees it at once', async ({ page, api, openBrowser }) => {
  await createUsers(api, 'Roles', 4);
  const ui = dashboard(page);
  const other = await openBrowser();
  for (const tab of [page, other]) {
    await tab.goto('/?q=roles&sort=name&order=asc');
    await expect(dashboard(tab).connection).toHaveText('Connected (SSE)');
    await expect(dashboard(tab).rows).toHaveCount(4);
  }
  await ui.checkbox('Roles 001').click();
  await ui.checkbox('Roles 003').click({ modifiers: ['Shift'] });
  await page.getByLabel('Role for the selected users').selectOption('editor');
  await page.getByRole('button', { name: 'Change role' }).click();
  await expect(page.getByTestId('selection-done')).toHaveText('Made 3 users Editor.');
  for (const name of ['Roles 001', 'Roles 002', 'Roles 003']) await expect(roleCell(other, name)).toHaveText('Editor');
  await expect(roleCell(other, 'Roles 004')).toHaveText('No access');
  const stored = await listPage(api, { q: 'roles', sort: 'name', order: 'asc' });
  expect(stored.users.map((user) => user.role)).toEqual(['editor', 'editor', 'editor', 'none']);
  // Each change is on record, as one user's edit is: by the admin, role none → editor (this test's users: other specs change roles too).
  const activity = (await (await api.get('/api/activity')).json()) as { entries: ActivityDTO[] };
  const ours = activity.entries.filter((entry) => 'user' in entry && entry.user.name.startsWith('Roles '));
  const roleChanges = ours.flatMap((entry) => ('changes' in entry && entry.kind === 'edited' ? entry.changes.map((change) => ({ name: entry.user.name, by: entry.actor?.name, ...change })) : []));
  expect(roleChanges.map(({ name, field, from, to, by }) => ({ name, field, from, to, by: typeof by }))).toEqual(
    ['Roles 003', 'Roles 002', 'Roles 001'].map((name) => ({ name, field: 'role', from: 'none', to: 'editor', by: 'string' })),
  );
});

test('Export selected downloads just the checked rows, in the view’s order', async ({ page, api }) => {
  await createUsers(api, 'Exportsel', 4);
  const ui = dashboard(page);
  await page.goto('/?q=exportsel&sort=name&order=desc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.checkbox('Exportsel 001').check();
  await ui.checkbox('Exportsel 003').check();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export selected' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^roster-users-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = (await readFile((await download.path()) ?? '', 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
  expect(lines[0]).toBe('name,email,role,createdAt');
  expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual(['Exportsel 003', 'Exportsel 001']);
});

test('an editor is offered Delete selected but no Change role', async ({ api, openBrowser }) => {
  await createUsers(api, 'Editorsel', 2);
  const page = await openBrowser({ storageState: ANONYMOUS });
  await signInThroughInvite(api, page, await personWithRole(api, 'Edna Editor', 'editor'));
  const ui = dashboard(page);
  await page.goto('/?q=editorsel');
  await expect(ui.rows).toHaveCount(2);
  await expect(ui.deleteSelected).toBeVisible();
  await expect(page.getByRole('button', { name: 'Change role' })).toHaveCount(0);
  // Closed as a person closes it: the tab says it left (the status page counts no tab of it).
  await page.close();
});

test('without JavaScript, Change role is part of the plain form', async ({ browser, api }) => {
  await createUsers(api, 'Nojsrole', 3);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const page = await context.newPage();
  const ui = dashboard(page);
  await page.goto('/?q=nojsrole&sort=name&order=asc');
  await expect(ui.rows).toHaveCount(3);
  await ui.checkbox('Nojsrole 002').check();
  await page.getByLabel('Role for the selected users').selectOption('viewer');
  await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Change role' }).click()]);
  await expect(page.getByTestId('selection-done')).toHaveText('Made Nojsrole 002 Viewer.');
  await expect(roleCell(page, 'Nojsrole 002')).toHaveText('Viewer');
  await expect(roleCell(page, 'Nojsrole 001')).toHaveText('No access');
  await context.close();
});
