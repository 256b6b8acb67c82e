import { countText, createUser, dashboard, expect, isEventStream, test, uniqueEmail } from './fixtures';

test('a user created between the page render and the stream opening still appears, replayed by the stream', async ({ page, api }) => {
  // Hold the page's stream request until a user has been created behind its back.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route((url) => isEventStream(url.href), async (route) => {
    await held;
    await route.continue();
  });
  const listRequests: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/users') listRequests.push(request.url());
  });

  const streamRequest = page.waitForRequest((request) => isEventStream(request.url()));
  await page.goto('/');
  const ui = dashboard(page);
  await expect(ui.count).toHaveText(countText(0));
  const email = uniqueEmail('gap');
  await createUser(api, 'Between Render And Subscribe', email);
  release();

  const cursor = Number(new URL((await streamRequest).url()).searchParams.get('lastEventId'));
  expect(cursor).toBeGreaterThan(0);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.row(email)).toHaveCount(1);
  await expect(ui.count).toHaveText(countText(1));
  // It came through the stream's replay: the page never fell back to fetching the list.
  expect(listRequests).toEqual([]);
});
