import type { Browser } from '@playwright/test';
import { ADMIN_STATE } from './credentials';
import { countText, createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

test('a user created in one browser appears in another, and deleting it there removes it from the first', async ({ browser }) => {
  const contextA = await browser.newContext({ storageState: ADMIN_STATE });
  const contextB = await browser.newContext({ storageState: ADMIN_STATE });
  const pageA = await contextA.newPage();
  const pageB = await contextB.newPage();
  const a = dashboard(pageA);
  const b = dashboard(pageB);
  await pageA.goto('/');
  await pageB.goto('/');
  await expect(a.connection).toHaveText('Connected (SSE)');
  await expect(b.connection).toHaveText('Connected (SSE)');
  await expect(b.count).toHaveText(countText(0));

  const name = 'Live Lin';
  const email = uniqueEmail('live');
  await a.name.fill(name);
  await a.email.fill(email);
  await a.submit.click();
  await expect(a.formStatus).toHaveText(`Added ${name}.`);

  // B never reloads: the row can only arrive through the stream.
  await expect(b.row(email)).toHaveCount(1);
  await expect(b.row(email)).toContainText(name);
  await expect(b.count).toHaveText(countText(1));
  await expect(a.row(email)).toHaveCount(1); // the action's re-render and the event do not double it
  await expect(b.connection).toHaveText('Connected (SSE)');

  await b.deleteButton(name).click();
  await expect(a.row(email)).toHaveCount(0);
  await expect(a.count).toHaveText(countText(0));
  await expect(a.rows).toHaveCount(0);
  await expect(b.row(email)).toHaveCount(0);
  await expect(b.count).toHaveText(countText(0));

  await contextA.close();
  await contextB.close();
});

/** A signed-in dashboard whose event stream is blocked, so it polls. */
async function pollingDashboard(browser: Browser) {
  const context = await browser.newContext({ storageState: ADMIN_STATE });
  await context.route('**/events**', (route) => route.abort());
  const page = await context.newPage();
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (Polling)');
  return { context, page, ui };
}

test('without the event stream the dashboard polls and still shows new users', async ({ browser, api }) => {
  const { context, ui } = await pollingDashboard(browser);

  const email = uniqueEmail('polled');
  await createUser(api, 'Polly Poll', email);
  // The client polls every 5 s; allow for a slow machine, but less than a stream retry would need.
  await expect(ui.row(email)).toContainText('Polly Poll', { timeout: 15_000 });
  await expect(ui.count).toHaveText(countText(1));
  await expect(ui.connection).toHaveText('Connected (Polling)');

  await context.close();
});

test('when the stream comes back the dashboard uses it again and stops polling', async ({ browser, api }) => {
  const { context, page, ui } = await pollingDashboard(browser);

  await context.unroute('**/events**');
  // Regaining focus retries the stream at once instead of waiting out the backoff.
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await expect(ui.connection).toHaveText('Connected (SSE)');

  const polls: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/users') polls.push(r.url());
  });
  const email = uniqueEmail('back');
  await createUser(api, 'Stream Back', email);
  await expect(ui.row(email)).toHaveCount(1);
  // Longer than one polling interval (5 s): a poll still running would show up here.
  await page.waitForTimeout(6_000);
  expect(polls).toEqual([]);

  await context.close();
});
