import AxeBuilder from '@axe-core/playwright';
import type { UserDTO } from '@/lib/shared/dto';
import { ADMIN_NAME, ANONYMOUS } from './credentials';
import { acceptInvite, dashboard, expect, LOOKS, personWithRole, test, uniqueEmail } from './fixtures';

// People, each signing in as themselves (issue 21): an admin invites a colleague, who sets a
// password in their own browser; what they do is live in the admin's browser and in the activity
// under their name; their role decides their controls, live; taking it away signs them out.

test('an admin invites an editor from the dashboard; the editor sets a password in another browser, and what they add shows in the admin’s browser and in the activity under their name', async ({ page, api, openBrowser }) => {
  const ada = await personWithRole(api, 'Ada Editor', 'editor');
  await page.goto('/');
  const ui = dashboard(page);
  await ui.editLink('Ada Editor').click();
  await page.getByRole('button', { name: 'Invite', exact: true }).click();
  const link = page.getByLabel('Invite link for Ada Editor');
  await expect(link).toHaveValue(/\/invite\/[\w-]{43}$/);
  await expect(page.getByText('Invite link for Ada Editor ready: copy it and send it to them.')).toBeVisible();

  const theirs = await openBrowser({ storageState: ANONYMOUS });
  await acceptInvite(theirs, await link.inputValue(), 'ada’s own password');
  await expect(theirs.getByTestId('signed-in-as')).toHaveText('Ada Editor');

  const made = uniqueEmail('made-by-ada');
  const their = dashboard(theirs);
  await their.name.fill('Made By Ada');
  await their.email.fill(made);
  await their.submit.click();
  await expect(ui.row(made)).toHaveCount(1);

  await page.goto('/activity');
  await expect(page.getByTestId('activity-entry').first()).toContainText(`Ada Editor created Made By Ada <${made}>`);
  // The invite is on record too, under the admin who sent it.
  await expect(page.getByTestId('activity-entry').filter({ hasText: `${ADMIN_NAME} invited Ada Editor <${ada.email}>` })).toHaveCount(1);
  // Her name links to her own history.
  await page.getByTestId('activity-entry').first().getByRole('link', { name: 'Ada Editor' }).click();
  await expect(page).toHaveURL(new RegExp(`/activity\\?user=${ada.id}$`));

});

test('a used invite link says so; a viewer sees the directory live but no create, edit or delete controls', async ({ api, openBrowser }) => {
  const grace = await personWithRole(api, 'Grace Viewer', 'viewer');
  const { url } = (await (await api.post(`/api/users/${grace.id}/invite`)).json()) as { url: string };
  const theirs = await openBrowser({ storageState: ANONYMOUS });
  await acceptInvite(theirs, url, 'grace’s own password');
  const their = dashboard(theirs);
  await expect(theirs.getByTestId('signed-in-as')).toHaveText('Grace Viewer');
  await expect(their.form).toHaveCount(0);
  await expect(theirs.getByRole('link', { name: /^Edit / })).toHaveCount(0);
  await expect(theirs.getByRole('button', { name: /^Delete / })).toHaveCount(0);

  const email = uniqueEmail('seen-by-grace');
  expect((await api.post('/api/users', { data: { name: 'Seen By Grace', email } })).status()).toBe(201);
  await expect(their.row(email)).toHaveCount(1);

  await theirs.goto(url);
  await expect(theirs.getByText('This invite link has been used already. Ask an admin for a new one.')).toBeVisible();
  await expect(theirs.getByLabel('Password')).toHaveCount(0);
});

test('an editor made a viewer loses the write controls at once, without a reload; made "no access", their tab says the session ended and goes to sign-in', async ({ api, openBrowser, page }) => {
  const kim = await personWithRole(api, 'Kim Changing', 'editor');
  const { url } = (await (await api.post(`/api/users/${kim.id}/invite`)).json()) as { url: string };
  const theirs = await openBrowser({ storageState: ANONYMOUS });
  await acceptInvite(theirs, url, 'kim’s own password');
  const their = dashboard(theirs);
  await expect(their.form).toBeVisible();
  // The tab is never reloaded in this test: a marker on its window would be gone if it were.
  await theirs.evaluate(() => Object.assign(window, { notReloaded: true }));

  const patch = await api.patch(`/api/users/${kim.id}`, { data: { role: 'viewer' }, headers: { 'If-Match': `"${kim.version}"` } });
  expect(patch.status()).toBe(200);
  await expect(theirs.getByText('An admin changed your role to Viewer.')).toBeVisible();
  await expect(their.form).toHaveCount(0);
  await expect(theirs.getByTestId('signed-in-as')).toHaveText('Kim Changing');
  expect(await theirs.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);

  const again = (await patch.json()) as UserDTO;
  expect((await api.patch(`/api/users/${kim.id}`, { data: { role: 'none' }, headers: { 'If-Match': `"${again.version}"` } })).status()).toBe(200);
  const status = theirs.getByRole('status').filter({ has: their.connection });
  await expect(status).toHaveText(/^Disconnected\s*— your session ended\. Sign in again$/, { timeout: 3_000 });
  // Then the tab goes to sign-in by itself, which says why.
  await expect(theirs).toHaveURL(/\/login\?ended=1$/, { timeout: 8_000 });
  await expect(theirs.getByRole('status').filter({ hasText: 'Your session ended. Sign in again to go on.' })).toBeVisible();
  // The admin's own browser is untouched.
  await page.goto('/');
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN_NAME);
});

for (const { colorScheme, width } of LOOKS) {
  test(`the sign-in and invite pages, and the editor's Invite, have no axe violations (${colorScheme}, ${width} px)`, async ({ api, browser, page }) => {
    const lee = await personWithRole(api, 'Lee Invited', 'viewer');
    const { url } = (await (await api.post(`/api/users/${lee.id}/invite`)).json()) as { url: string };
    const anonymous = await browser.newContext({ storageState: ANONYMOUS, colorScheme, viewport: { width, height: 900 } });
    const visitor = await anonymous.newPage();
    for (const path of ['/login', new URL(url).pathname]) {
      await visitor.goto(path);
      await expect(visitor.getByLabel('Password')).toBeVisible();
      expect((await new AxeBuilder({ page: visitor }).analyze()).violations).toEqual([]);
    }
    await anonymous.close();

    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/');
    await dashboard(page).editLink('Lee Invited').click();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    await expect(page.getByLabel('Invite link for Lee Invited')).toBeVisible();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
