// Searching and sorting the directory with JavaScript: the URL follows the view, the rows follow
// the URL, and the page's live stream stays the one it opened with.
import { countText, createUser, dashboard, expect, requestsTo, test, uniqueEmail } from './fixtures';

declare global {
  interface Window {
    /** Set after the first load: a full reload would lose it. */
    __rosterE2eSamePage?: string;
  }
}

test('search as you type: the URL and the rows follow the typing, without a reload, and the stream stays open', async ({ page, api }) => {
  // Created oldest first, so the default view (newest first) shows them bottom to top.
  await createUser(api, 'Ann Lee', uniqueEmail('lee'));
  await createUser(api, 'Bob Stone', uniqueEmail('stone'));
  await createUser(api, 'Joanne Park', uniqueEmail('park'));
  await createUser(api, 'Carl Mann', uniqueEmail('carl')); // "ann" in the name, not at its start
  const streams = requestsTo(page, '/events');
  // The searches the page asks the server for: pages of the list API, and no server render (RSC).
  const searches: (string | null)[] = [];
  const renders: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.pathname === '/api/users') searches.push(url.searchParams.get('q'));
    if (request.headers()['rsc'] === '1' && !request.headers()['next-router-prefetch']) renders.push(request.url());
  });
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.count).toHaveText(countText(4));
  const marker = crypto.randomUUID();
  await page.evaluate((value) => (window.__rosterE2eSamePage = value), marker);
  const historyLength = await page.evaluate(() => history.length);

  await ui.search.pressSequentially('ANN', { delay: 30 });
  await expect(page).toHaveURL(/\/\?q=ANN$/);
  await expect(ui.count).toHaveText(countText(3, 'ANN'));
  await expect(ui.names).toHaveText(['Carl Mann', 'Joanne Park', 'Ann Lee']);
  // Typing faster than the pause (250 ms) asks once, for what was typed, not once a keystroke.
  expect(searches).toEqual(['ANN']);
  expect(renders).toEqual([]);

  await ui.search.press('Backspace');
  await ui.search.press('Backspace');
  await ui.search.pressSequentially('o', { delay: 30 });
  await expect(page).toHaveURL(/\/\?q=Ao$/);
  await expect(ui.count).toHaveText(countText(0, 'Ao'));
  await expect(page.getByText('No users match this search.')).toBeVisible();

  await ui.search.fill('');
  await expect(page).toHaveURL(/\/$/);
  await expect(ui.count).toHaveText(countText(4));
  await expect(ui.names).toHaveText(['Carl Mann', 'Joanne Park', 'Bob Stone', 'Ann Lee']);

  // The Search button (or Enter) searches at once.
  await ui.search.fill('stone');
  await ui.searchButton.click();
  await expect(page).toHaveURL(/\/\?q=stone$/);
  await expect(ui.names).toHaveText(['Bob Stone']);
  await expect(ui.count).toHaveText(countText(1, 'stone'));

  // One document and one stream throughout; the searches replaced the history entry, not added to it.
  expect(await page.evaluate(() => window.__rosterE2eSamePage)).toBe(marker);
  expect(await page.evaluate(() => history.length)).toBe(historyLength);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(streams).toHaveLength(1);

  // …and it still delivers: a new user who matches the search shows up in it.
  await createUser(api, 'Stoney Live', uniqueEmail('stoney'));
  await expect(ui.names).toHaveText(['Stoney Live', 'Bob Stone']);
  await expect(ui.count).toHaveText(countText(2, 'stone'));
});

test('a newer search cancels the one still loading, whose answer never shows', async ({ page, api }) => {
  await createUser(api, 'Slow Answer', uniqueEmail('slow'));
  await createUser(api, 'Quick Answer', uniqueEmail('quick'));
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  // The server is slow to answer the first search only.
  await page.route(/\/api\/users\?q=slow/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await route.continue().catch(() => undefined); // the page may have cancelled it meanwhile
  });
  const cancelled: string[] = [];
  page.on('requestfailed', (request) => {
    if (new URL(request.url()).pathname === '/api/users') cancelled.push(new URL(request.url()).searchParams.get('q') ?? '');
  });
  const slowAsked = page.waitForRequest((request) => new URL(request.url()).searchParams.get('q') === 'slow');

  await ui.search.fill('slow');
  await slowAsked;
  await ui.search.fill('quick');

  await expect(page).toHaveURL(/\/\?q=quick$/);
  await expect(ui.names).toHaveText(['Quick Answer']);
  await expect.poll(() => cancelled).toEqual(['slow']);
  // Past the slow answer's delay, the newer search still stands.
  await page.waitForTimeout(1_600);
  await expect(ui.names).toHaveText(['Quick Answer']);
  await expect(ui.count).toHaveText(countText(1, 'quick'));
});

test('each column header sorts by its column and says so with aria-sort; a second click reverses it', async ({ page, api }) => {
  // Name, email and creation orders all differ; the lower-case name sorts regardless of case.
  await createUser(api, 'Carol Zed', `a-${uniqueEmail('carol')}`);
  await createUser(api, 'alice Young', `c-${uniqueEmail('alice')}`);
  await createUser(api, 'Bob Xu', `b-${uniqueEmail('bob')}`);
  const streams = requestsTo(page, '/events');
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');

  const sorted = async (aria: { Name: string; Email: string; Created: string }, names: string[]) => {
    for (const [label, value] of Object.entries(aria) as ['Name' | 'Email' | 'Created', string][]) {
      await expect(ui.column(label)).toHaveAttribute('aria-sort', value);
    }
    await expect(ui.names).toHaveText(names);
  };
  // The default: newest first.
  await sorted({ Name: 'none', Email: 'none', Created: 'descending' }, ['Bob Xu', 'alice Young', 'Carol Zed']);

  await ui.sortBy('Name').click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc$/);
  await sorted({ Name: 'ascending', Email: 'none', Created: 'none' }, ['alice Young', 'Bob Xu', 'Carol Zed']);
  await ui.sortBy('Name').click();
  await expect(page).toHaveURL(/\/\?sort=name$/);
  await sorted({ Name: 'descending', Email: 'none', Created: 'none' }, ['Carol Zed', 'Bob Xu', 'alice Young']);

  await ui.sortBy('Email').click();
  await expect(page).toHaveURL(/\/\?sort=email&order=asc$/);
  await sorted({ Name: 'none', Email: 'ascending', Created: 'none' }, ['Carol Zed', 'Bob Xu', 'alice Young']);
  await ui.sortBy('Email').click();
  await expect(page).toHaveURL(/\/\?sort=email$/);
  await sorted({ Name: 'none', Email: 'descending', Created: 'none' }, ['alice Young', 'Bob Xu', 'Carol Zed']);

  // Creation time starts newest first (the default view), then oldest first.
  await ui.sortBy('Created').click();
  await expect(page).toHaveURL(/\/$/);
  await sorted({ Name: 'none', Email: 'none', Created: 'descending' }, ['Bob Xu', 'alice Young', 'Carol Zed']);
  await ui.sortBy('Created').click();
  await expect(page).toHaveURL(/\/\?order=asc$/);
  await sorted({ Name: 'none', Email: 'none', Created: 'ascending' }, ['Carol Zed', 'alice Young', 'Bob Xu']);

  // A search keeps the sort, and a sort keeps the search ("ex": two letters, a word's start: example.com).
  await ui.search.fill('ex');
  await expect(page).toHaveURL(/\/\?q=ex&order=asc$/);
  await expect(ui.names).toHaveText(['Carol Zed', 'alice Young', 'Bob Xu']);
  await ui.sortBy('Name').click();
  await expect(page).toHaveURL(/\/\?q=ex&sort=name&order=asc$/);
  await sorted({ Name: 'ascending', Email: 'none', Created: 'none' }, ['alice Young', 'Bob Xu', 'Carol Zed']);

  // Sorting is a step in the history: Back returns to the order before.
  await page.goBack();
  await expect(page).toHaveURL(/\/\?q=ex&order=asc$/);
  await sorted({ Name: 'none', Email: 'none', Created: 'ascending' }, ['Carol Zed', 'alice Young', 'Bob Xu']);

  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(streams).toHaveLength(1);
});
