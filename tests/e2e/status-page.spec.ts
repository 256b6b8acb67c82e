// The status page (/status): admins see each instance follow the server without reloading; anyone
// else is sent back to the dashboard; it reads, in both themes, on a phone as on a wide screen.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import type { Role } from '@/lib/shared/roles';
import { ANONYMOUS } from './credentials';
import { createUsers, dashboard, expect, health, LOOKS, personWithRole, signInThroughInvite, test } from './fixtures';

/** The status page's parts. The e2e server is one instance: one card. */
function statusBoard(page: Page) {
  const instance = page.getByTestId('instance');
  return {
    instance,
    lastEvent: instance.getByTestId('last-event-id'),
    /** "1 / 0": pages live by the stream / polling. */
    pages: instance.getByTestId('dashboards'),
  };
}

test('an admin’s status page follows the server without a reload: each new event’s id, and a dashboard opened and closed in another browser', async ({
  page,
  api,
  openBrowser,
}) => {
  const board = statusBoard(page);
  await page.goto('/');
  await expect(page.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Status' })).toHaveAttribute('href', '/status');
  // Loaded, not followed within the app: the dashboard's tab says it left as the page goes, not a second later.
  await page.goto('/status');
  await expect(page.getByRole('heading', { name: 'Status', level: 1 })).toBeVisible();
  await expect(board.instance).toHaveCount(1);
  // Earlier tests' pages said they left as they closed, or their sessions ended: none is counted. A
  // tab whose last report raced its session's end (sessions.spec ends one under an open page) is
  // dropped by the 25 s sweep instead: wait that long for it rather than fail on the earlier test's timing.
  await expect(board.pages).toHaveText('0 / 0', { timeout: 30_000 });
  await page.evaluate(() => Object.assign(window, { notReloaded: true }));

  const before = (await health(api)).lastEventId;
  await expect(board.lastEvent).toHaveText(String(before));
  await createUsers(api, 'Status Seen', 3);
  const after = (await health(api)).lastEventId;
  expect(after).toBeGreaterThan(before);
  // The page reads every 2 s, its first read after opening too: the new id shows within 3.
  await expect.poll(() => board.lastEvent.textContent(), { timeout: 3_000, intervals: [100] }).toBe(String(after));

  const other = await openBrowser();
  await other.goto('/');
  await expect(dashboard(other).connection).toHaveText('Connected (SSE)');
  await expect(board.pages).toHaveText('1 / 0');
  await other.close();
  await expect(board.pages).toHaveText('0 / 0');

  expect(await page.evaluate(() => (window as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
});

test('a viewer or an editor who goes to /status is sent to the dashboard, and its data is refused them', async ({ api, openBrowser }) => {
  const people: [string, Role][] = [
    ['Vera Viewer', 'viewer'],
    ['Ed Editor', 'editor'],
  ];
  for (const [name, role] of people) {
    const theirs = await openBrowser({ storageState: ANONYMOUS });
    await signInThroughInvite(api, theirs, await personWithRole(api, name, role));
    await expect(theirs.getByRole('navigation', { name: 'Site' }).getByRole('link', { name: 'Status' })).toHaveCount(0);
    await theirs.goto('/status');
    await expect(theirs).toHaveURL(/\/$/);
    await expect(theirs.getByTestId('signed-in-as')).toHaveText(name);
    await expect(theirs.getByTestId('instance')).toHaveCount(0);
    expect((await theirs.request.get('/api/status')).status()).toBe(403);
  }
});

for (const { colorScheme, width } of LOOKS) {
  test(`the status page has no axe violations and no sideways scrolling (${colorScheme}, ${width} px)`, async ({ page, api, openBrowser }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await createUsers(api, 'Status Seen', 2);
    // Someone here, so every line has something to show.
    const other = await openBrowser();
    await other.goto('/');
    await expect(dashboard(other).connection).toHaveText('Connected (SSE)');

    await page.goto('/status');
    const board = statusBoard(page);
    await expect(board.pages).toHaveText('1 / 0');
    await expect(board.lastEvent).toHaveText(String((await health(api)).lastEventId));
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    // Each card's lines stay inside it on a phone too.
    for (const value of await board.instance.locator('dd').all()) {
      const box = await value.boundingBox();
      expect(box).not.toBeNull();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(width);
    }
  });
}
