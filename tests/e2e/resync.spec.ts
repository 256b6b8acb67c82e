// When the server cannot replay what a dashboard missed (it answers the stream with `resync`: an
// id it cannot place, or one older than it keeps), the dashboard reads its page again, once, and
// carries on live.
import { countText, createUser, dashboard, expect, requestsTo, test, uniqueEmail } from './fixtures';

test('a stream that answers resync makes the page read its view again, and live updates go on', async ({ page, api }) => {
  await createUser(api, 'Anne Before', uniqueEmail('before'));
  // The first stream asks from an id the server cannot place; a user is created first, after the
  // page was rendered, so only a fresh read of the page can show it.
  let missed = '';
  let firstStream = true;
  await page.route('**/events?**', async (route) => {
    if (!firstStream) return route.continue();
    firstStream = false;
    missed = uniqueEmail('missed');
    await createUser(api, 'Anne Missed', missed);
    const url = new URL(route.request().url());
    url.searchParams.set('lastEventId', 'not-an-id');
    return route.continue({ url: url.href });
  });
  const ui = dashboard(page);
  const lists = requestsTo(page, '/api/users');
  await page.goto('/?q=anne&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');

  await expect(ui.names).toHaveText(['Anne Before', 'Anne Missed']);
  await expect(ui.count).toHaveText(countText(2, 'anne'));
  expect(lists).toHaveLength(1);
  expect(new URL(lists[0]!).searchParams.get('q')).toBe('anne'); // the view on screen, not the default

  const live = uniqueEmail('live');
  await createUser(api, 'Anne Live', live);
  await expect(ui.names).toHaveText(['Anne Before', 'Anne Live', 'Anne Missed']);
  expect(lists).toHaveLength(1);
});
