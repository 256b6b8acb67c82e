import { ANONYMOUS } from './credentials';
import {
  createUser,
  dashboard,
  expect,
  isEventStream,
  plantSessionToken,
  sessionCookie,
  subscribers,
  test,
  uniqueEmail,
} from './fixtures';

// Long enough to load the page and see a live update on a slow machine; short enough to wait out.
const SESSION_LEFT_MS = 8_000;

test('when the session expires, the open dashboard says Disconnected, stops listening and offers to sign in again', async ({
  browser,
  baseURL,
  api,
}) => {
  const context = await browser.newContext({ storageState: ANONYMOUS });
  const page = await context.newPage();
  // A session exactly like the server's own, but ending in a few seconds. Its clock starts once
  // the browser is ready, which on a busy machine takes seconds of its own.
  const expiresAt = new Date(Date.now() + SESSION_LEFT_MS);
  const endsAt = expiresAt.getTime();
  // A cookie without an expiry of its own: only the server can end this session.
  await context.addCookies([sessionCookie(plantSessionToken(expiresAt), baseURL!)]);
  const requests: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (isEventStream(r.url()) || url.pathname === '/api/users') requests.push(url.pathname);
  });
  const ui = dashboard(page);
  const status = page.getByRole('status').filter({ has: ui.connection });

  await page.goto('/');
  await expect(page).toHaveURL(/\/$/);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  const before = uniqueEmail('before');
  await createUser(api, 'Before Expiry', before);
  await expect(ui.row(before)).toHaveCount(1);
  expect(Date.now(), 'the page must be live before the session ends, or this test shows nothing').toBeLessThan(endsAt);

  await expect(ui.connection).toHaveText('Disconnected', { timeout: SESSION_LEFT_MS + 5_000 });
  expect(Date.now()).toBeGreaterThanOrEqual(endsAt - 50); // not before the session ended
  // (Text nodes side by side in a flex row: the gap is layout, not a space.)
  await expect(status).toHaveText(/^Disconnected\s*— your session ended\. Sign in again$/);
  await expect(status.getByRole('link', { name: 'Sign in again' })).toHaveAttribute('href', '/login');
  // The server closed the stream (it sent `expired`); no other stream is open.
  await expect.poll(() => subscribers(api)).toBe(0);

  // Nothing reconnects or polls any more, not even on focus or coming back online, and changes
  // no longer arrive. (Longer than the first reconnect delay, 0.5–1 s.)
  const after = uniqueEmail('after');
  await createUser(api, 'After Expiry', after);
  await page.evaluate(() => {
    window.dispatchEvent(new Event('focus'));
    window.dispatchEvent(new Event('online'));
  });
  await page.waitForTimeout(1_500);
  expect(requests).toEqual(['/events']);
  await expect(ui.row(after)).toHaveCount(0);
  await expect(ui.connection).toHaveText('Disconnected');

  // (The tab would go to sign-in by itself a few seconds after it said so: the link is quicker.)
  await status.getByRole('link', { name: 'Sign in again' }).click();
  await expect(page).toHaveURL(/\/login(\?ended=1)?$/);
  await expect(page.getByLabel('Password')).toBeVisible();
  await context.close();
});
