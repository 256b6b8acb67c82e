import { ADMIN_EMAIL, ANONYMOUS } from './credentials';
import { createUser, expect, test, uniqueEmail, type UserPage } from './fixtures';

test('without the API token or a session, the API and the stream answer 401 JSON and change nothing', async ({
  playwright,
  baseURL,
  api,
  page,
}) => {
  const user = await createUser(api, 'Kept Safe', uniqueEmail('kept'));
  const anonymous = await playwright.request.newContext({ baseURL, storageState: ANONYMOUS });
  const wrongToken = await playwright.request.newContext({
    baseURL,
    storageState: ANONYMOUS,
    extraHTTPHeaders: { Authorization: 'Bearer not-the-e2e-api-token-0123456789' },
  });
  const calls = [
    { method: 'GET', path: '/api/users' },
    { method: 'POST', path: '/api/users', data: { name: 'Mallory', email: uniqueEmail('mallory') } },
    { method: 'DELETE', path: `/api/users/${user.id}` },
    { method: 'GET', path: '/events' },
  ];
  for (const [who, client] of [['anonymous', anonymous], ['wrong token', wrongToken]] as const) {
    for (const { method, path, data } of calls) {
      const response = await client.fetch(path, { method, data });
      const what = `${who}: ${method} ${path}`;
      expect(response.status(), what).toBe(401);
      expect(response.headers()['content-type'], what).toContain('application/json');
      expect(response.headers()['www-authenticate'], what).toBe('Bearer realm="roster"');
      expect(await response.json(), what).toEqual({ error: expect.any(String) });
    }
  }
  await anonymous.dispose();
  await wrongToken.dispose();

  // The token and the browser's session cookie each get in, and nothing was created or deleted.
  for (const client of [api, page.request]) {
    const response = await client.get('/api/users');
    expect(response.status()).toBe(200);
    // The test's user and the first admin (made at start-up), nothing else.
    expect(((await response.json()) as UserPage).users.map((u) => u.email)).toEqual([user.email, ADMIN_EMAIL]);
  }
});
