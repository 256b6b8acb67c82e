import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ADMIN_EMAIL, ADMIN_STATE } from './credentials';
import { createUser, expect, listPage, test, uniqueEmail } from './fixtures';

const EVIL = 'http://evil.example';

test('a form on another site that posts the delete form to the dashboard is refused with 403 and deletes nothing', async ({
  browser,
  page,
  api,
  baseURL,
}) => {
  const user = await createUser(api, 'Cross Target', uniqueEmail('csrf'));

  // The delete form's fields as the server renders them (what a no-JavaScript post sends).
  const noScript = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const dashboard = await noScript.newPage();
  await dashboard.goto('/');
  const fields = await dashboard.locator(`tr[data-user-id="${user.id}"] form`).innerHTML();
  await noScript.close();
  expect(fields).toContain('name="id"');

  // Another site, visited by the signed-in admin, copies them into a form of its own.
  await page.route(`${EVIL}/**`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>Win a prize</title>
        <form method="post" enctype="multipart/form-data" action="${baseURL}/">${fields}</form>`,
    }),
  );
  await page.goto(`${EVIL}/`);
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${baseURL}/` && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Delete Cross Target' }).click(),
  ]);

  expect(response.request().headers()['origin']).toBe(EVIL);
  expect(response.status()).toBe(403);
  expect(await response.json()).toEqual({ error: 'Cross-site request refused' });
  const { users } = await listPage(api);
  expect(users.map((u) => u.email)).toEqual([user.email, ADMIN_EMAIL]); // and the first admin, made at start-up
});

/** A page of another site on this host (another port: the same site to SameSite=Lax cookies), served for one test. */
async function siblingSite(html: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_request, response) => response.writeHead(200, { 'Content-Type': 'text/html' }).end(html));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

test('a page on another port of this host posts to the API with the admin\'s cookie — a text/plain form and a no-cors fetch — and nothing is created', async ({
  page,
  api,
  baseURL,
}) => {
  const target = `${baseURL}/api/users`;
  const [formEmail, fetchEmail] = [uniqueEmail('csrf-form'), uniqueEmail('csrf-fetch')];
  // enctype=text/plain sends `name=value`: split the JSON at a `=` so the body parses as a user.
  const formField = `{"email":"${formEmail}","name":"Form`;
  const site = await siblingSite(`<!doctype html><title>Win a prize</title>
    <form id="prize" method="post" enctype="text/plain" action="${target}"><input type="hidden" name='${formField}' value='Forgery"}'></form>
    <script>
      fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include', body: JSON.stringify({ name: 'Fetch Forgery', email: ${JSON.stringify(fetchEmail)} }) })
        .finally(() => document.getElementById('prize').submit());
    </script>`);
  try {
    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url() === target && response.request().method() === 'POST') answers.push(response.status());
    });
    await page.goto(site.url);
    await expect.poll(() => answers.length).toBe(2);
    expect(answers).toEqual([403, 403]);
  } finally {
    await site.close();
  }
  for (const email of [formEmail, fetchEmail]) expect((await listPage(api, { q: email })).users).toEqual([]);
});
