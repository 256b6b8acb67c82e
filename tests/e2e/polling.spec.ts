import { countText, createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

type Poll = { status: number; etag?: string; ifNoneMatch?: string };

test('while polling, an unchanged list is answered 304 and a change 200 with the new row', async ({
  context,
  api,
}) => {
  await context.route('**/events**', (route) => route.abort());
  const page = await context.newPage();
  const ui = dashboard(page);
  const polls: Poll[] = [];
  page.on('response', (r) => {
    if (new URL(r.url()).pathname !== '/api/users' || r.request().method() !== 'GET') return;
    polls.push({ status: r.status(), etag: r.headers()['etag'], ifNoneMatch: r.request().headers()['if-none-match'] });
  });
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (Polling)');

  // The client polls every 5 s: wait for the poll after the first one.
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  const [first, ...unchanged] = polls;
  expect(first).toMatchObject({ status: 200, ifNoneMatch: undefined });
  expect(first?.etag).toBeTruthy();
  // Nothing changed: every later poll sends the ETag it got and is answered 304.
  for (const poll of unchanged) expect(poll).toMatchObject({ status: 304, ifNoneMatch: first?.etag });

  const seen = polls.length;
  const email = uniqueEmail('etag');
  await createUser(api, 'Etta Tag', email);
  await expect(ui.row(email)).toContainText('Etta Tag', { timeout: 15_000 });
  await expect(ui.count).toHaveText(countText(1));
  await expect(ui.connection).toHaveText('Connected (Polling)');
  const changed = polls.slice(seen).find((p) => p.status !== 304);
  expect(changed).toMatchObject({ status: 200, ifNoneMatch: first?.etag });
  expect(changed?.etag).not.toBe(first?.etag);
});

test('polling asks for the view on screen only: a search sorted by name gets 304s, then its own changes', async ({ context, api }) => {
  await context.route('**/events**', (route) => route.abort());
  await createUser(api, 'Zoe Pollard', uniqueEmail('pollard'));
  await createUser(api, 'Other Person', uniqueEmail('other'));
  const page = await context.newPage();
  const ui = dashboard(page);
  const polls: (Poll & { url: URL })[] = [];
  page.on('response', (r) => {
    const url = new URL(r.url());
    if (url.pathname !== '/api/users' || r.request().method() !== 'GET') return;
    polls.push({ url, status: r.status(), etag: r.headers()['etag'], ifNoneMatch: r.request().headers()['if-none-match'] });
  });
  await page.goto('/?q=poll&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (Polling)');
  await expect.poll(() => polls.length, { timeout: 15_000 }).toBeGreaterThanOrEqual(2);
  for (const { url } of polls) {
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ q: 'poll', sort: 'name', order: 'asc' });
  }
  expect(polls.slice(1).every((poll) => poll.status === 304)).toBe(true);

  // A user who matches appears in its place by name; one who does not, nowhere.
  await createUser(api, 'Nobody Here', uniqueEmail('nobody'));
  await createUser(api, 'Abe Polley', uniqueEmail('polley'));
  await expect(ui.names).toHaveText(['Abe Polley', 'Zoe Pollard'], { timeout: 15_000 });
  await expect(ui.count).toHaveText(countText(2, 'poll'));
  await expect(page.getByText('Nobody Here')).toHaveCount(0);
  await expect(ui.connection).toHaveText('Connected (Polling)');
});
