import { ANONYMOUS } from './credentials';
import { createUser, dashboard, expect, plantSessionToken, sessionCookie, subscribers, test, uniqueEmail } from './fixtures';

// Signing out ends the session on the server, not only in the tab that asked: the browser's
// other tabs show it at once. Each test has a session of its own, so the admin session the other
// specs share is never signed out.

test('signing out in one tab shows the other tab of the same browser signed out, at once', async ({ browser, baseURL, api }) => {
  const context = await browser.newContext({ storageState: ANONYMOUS });
  await context.addCookies([sessionCookie(plantSessionToken(new Date(Date.now() + 60 * 60_000)), baseURL!)]);
  const [first, second] = [await context.newPage(), await context.newPage()];
  for (const page of [first, second]) {
    await page.goto('/');
    await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
  }
  const live = uniqueEmail('before-sign-out');
  await createUser(api, 'Before Sign Out', live);
  await expect(dashboard(second).row(live)).toHaveCount(1);

  await first.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(first).toHaveURL(/\/login$/);

  // (Text nodes side by side in a flex row: the gap is layout, not a space.)
  const status = second.getByRole('status').filter({ has: dashboard(second).connection });
  await expect(status).toHaveText(/^Disconnected\s*— your session ended\. Sign in again$/, { timeout: 3_000 });
  await expect(status.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/login');
  await expect.poll(() => subscribers(api)).toBe(0);
  // The tab still shows the table, but its cookie opens nothing any more.
  await second.reload();
  // (Or the tab went to sign-in by itself already.)
  await expect(second).toHaveURL(/\/login(\?ended=1)?$/);
  await context.close();
});

test('offers "Sign out everywhere" next to "Sign out", as buttons a keyboard reaches', async ({ page }) => {
  await page.goto('/');
  const everywhere = page.getByRole('button', { name: 'Sign out everywhere' });
  await expect(everywhere).toBeVisible();
  await expect(everywhere).toHaveAttribute('title', 'Ends every session of yours, in every browser');
  await expect(page.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
  await everywhere.focus();
  await expect(everywhere).toBeFocused();
});
