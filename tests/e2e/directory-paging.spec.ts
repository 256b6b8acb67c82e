// Paging through the directory with JavaScript: keyset pages of 50, Previous / Next links, in the
// default order and in a sorted one, on one document with one stream.
import { ADMIN_EMAIL } from './credentials';
import { countText, createUsers, dashboard, expect, listPage, PAGE_SIZE, requestsTo, test } from './fixtures';

test('Next and Previous walk through the pages of 50, in the default order and by name', async ({ page, api }) => {
  await createUsers(api, 'Pager', 120);
  // Created several at a time, so the order of creation is the server's to say.
  // The first admin (made at start-up, so the oldest) ends the last page; the pages' names leave them out.
  const newestFirst = (await listPage(api, { limit: '200' })).users.filter((u) => u.email !== ADMIN_EMAIL).map((u) => u.name);
  const pages = [newestFirst.slice(0, 50), newestFirst.slice(50, 100), newestFirst.slice(100)];
  const streams = requestsTo(page, '/events');
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.count).toHaveText(countText(120));

  await expect(ui.names).toHaveText(pages[0]!);
  await expect(ui.noPrevious).toBeVisible();
  await ui.next.click();
  await expect(page).toHaveURL(/\/\?cursor=[\w-]+$/);
  await expect(ui.names).toHaveText(pages[1]!);
  await ui.next.click();
  await expect(ui.names).toHaveText(pages[2]!);
  await expect(ui.noNext).toBeVisible();
  await expect(ui.count).toHaveText(countText(120)); // the total of the view, on every page

  await ui.previous.click();
  await expect(ui.names).toHaveText(pages[1]!);
  await ui.previous.click();
  await expect(ui.names).toHaveText(pages[0]!);
  await expect(ui.noPrevious).toBeVisible();
  await expect(ui.next).toBeVisible();

  // A sort starts at its first page and pages in its own order.
  await ui.sortBy('Name').click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc$/);
  const byName = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `Pager ${String(from + i).padStart(3, '0')}`);
  await expect(ui.names).toHaveText(byName(1, PAGE_SIZE));
  await ui.next.click();
  await expect(page).toHaveURL(/\/\?sort=name&order=asc&cursor=[\w-]+$/);
  await expect(ui.names).toHaveText(byName(51, 100));
  await ui.next.click();
  await expect(ui.names).toHaveText(byName(101, 120));
  await expect(ui.noNext).toBeVisible();
  await ui.previous.click();
  await expect(ui.names).toHaveText(byName(51, 100));

  await expect(ui.connection).toHaveText('Connected (SSE)');
  expect(streams).toHaveLength(1);
});

test('a later page whose earlier rows all go becomes the first page, in the address too', async ({ page, api }) => {
  const made = await createUsers(api, 'Shift', 60);
  const ui = dashboard(page);
  await page.goto('/?q=shift&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await ui.next.click();
  await expect(page).toHaveURL(/\/\?q=shift&sort=name&order=asc&cursor=[\w-]+$/);
  const second = Array.from({ length: 10 }, (_, i) => `Shift ${String(51 + i).padStart(3, '0')}`);
  await expect(ui.names).toHaveText(second);

  // Someone deletes the whole first page at once (a bulk job: one progress frame, one refetch).
  const response = await api.post('/api/jobs/delete', { data: { ids: made.filter((user) => Number(user.name.slice(-3)) <= 50).map((user) => user.id) } });
  expect(response.status(), await response.text()).toBe(202);
  await expect(ui.noPrevious).toBeVisible();
  await expect(page).toHaveURL(/\/\?q=shift&sort=name&order=asc$/);
  await expect(ui.names).toHaveText(second);
  await page.reload();
  await expect(ui.names).toHaveText(second);
});
