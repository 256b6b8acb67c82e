import { ADMIN_STATE, ANONYMOUS, VIEWER_TOKEN } from './credentials';
import { createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

test('an admin gives a user a role in the editor, and a dashboard filtered by that role shows them come and go, live', async ({ browser, api }) => {
  const contextA = await browser.newContext({ storageState: ADMIN_STATE });
  const contextB = await browser.newContext({ storageState: ADMIN_STATE });
  const [pageA, pageB] = [await contextA.newPage(), await contextB.newPage()];
  const [a, b] = [dashboard(pageA), dashboard(pageB)];
  const rita = await createUser(api, 'Rita Role', uniqueEmail('rita'));

  await pageA.goto('/');
  await pageB.goto('/');
  await expect(b.connection).toHaveText('Connected (SSE)');
  // B filters by role in place: the URL follows, the stream stays.
  await pageB.getByLabel('Filter by role').selectOption('editor');
  await expect(pageB).toHaveURL(/\?role=editor$/);
  await expect(b.count).toHaveText('0 users with the role Editor');
  await expect(pageB.getByText('No users have this role.')).toBeVisible();
  await expect(a.rowOf(rita.id).locator('td[data-column="role"]')).toHaveText('No access');

  await a.editLink('Rita Role').click();
  await a.editForm('Rita Role').getByLabel('Role').selectOption('editor');
  await a.editForm('Rita Role').getByRole('button', { name: 'Save' }).click();
  await expect(a.rowOf(rita.id).locator('td[data-column="role"]')).toHaveText('Editor');

  await expect(b.rowOf(rita.id)).toContainText('Editor');
  await expect(b.count).toHaveText('1 user with the role Editor');
  await expect(b.connection).toHaveText('Connected (SSE)');

  const current = (await (await api.get(`/api/users/${rita.id}`)).json()) as { version: number };
  const demoted = await api.patch(`/api/users/${rita.id}`, { data: { role: 'viewer' }, headers: { 'If-Match': `"${current.version}"` } });
  expect(demoted.status()).toBe(200);
  await expect(b.rowOf(rita.id)).toHaveCount(0);
  await expect(b.count).toHaveText('0 users with the role Editor');

  await contextA.close();
  await contextB.close();
});

test('a token that may only look gets 403 for every write, and nothing changes', async ({ api, playwright, baseURL }) => {
  // The e2e server's API_TOKENS has a viewer token (playwright.config.ts).
  const viewer = await playwright.request.newContext({ baseURL, storageState: ANONYMOUS, extraHTTPHeaders: { Authorization: `Bearer ${VIEWER_TOKEN}` } });
  const user = await createUser(api, 'Vera Viewed', uniqueEmail('vera'));
  expect((await viewer.get('/api/users')).status()).toBe(200);
  const writes = [
    await viewer.post('/api/users', { data: { name: 'Not Made', email: uniqueEmail('not') } }),
    await viewer.patch(`/api/users/${user.id}`, { data: { name: 'Not Changed' }, headers: { 'If-Match': `"${user.version}"` } }),
    await viewer.delete(`/api/users/${user.id}`),
  ];
  expect(writes.map((response) => response.status())).toEqual([403, 403, 403]);
  expect(await (await api.get(`/api/users/${user.id}`)).json()).toEqual(user);
  await viewer.dispose();
});
