import { dashboard, expect, test } from './fixtures';

test('the connection status is a polite live region, present from the first HTML', async ({ page }) => {
  // A live region is only announced when it changes after it was added, so it must be in the
  // server-rendered page rather than appear with the first status. (page.request sends the
  // page's session cookie.)
  const html = await (await page.request.get('/')).text();
  expect(html).toMatch(/<p[^>]*role="status"[^>]*aria-live="polite"[^>]*data-connection=/);

  await page.goto('/');
  const status = page.getByRole('status').filter({ has: dashboard(page).connection });
  await expect(status).toHaveCount(1);
  await expect(status).toHaveAttribute('aria-live', 'polite');
  await expect(status).toHaveText('Connected (SSE)');
});

test('the status says Disconnected, and why, when neither the stream nor polling gets through', async ({ page }) => {
  await page.route('**/events**', (route) => route.abort());
  await page.route('**/api/users', (route) => route.abort());
  const pollFailed = page.waitForEvent('requestfailed', (r) => new URL(r.url()).pathname === '/api/users');
  await page.goto('/');
  await pollFailed;
  // The stream failed and so did the fallback: the status must not claim a connection.
  const status = page.getByRole('status').filter({ has: dashboard(page).connection });
  await expect(status).toHaveText(/^Disconnected\s*— the server cannot be reached; retrying$/);
});
