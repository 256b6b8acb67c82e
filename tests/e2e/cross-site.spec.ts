import { ADMIN_STATE } from './credentials';
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
  expect(users.map((u) => u.id)).toEqual([user.id]);
});
