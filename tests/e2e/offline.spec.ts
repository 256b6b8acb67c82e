import { countText, createUser, dashboard, expect, isEventStream, test, uniqueEmail } from './fixtures';

declare global {
  interface Window {
    /** Set by the test after the page loads: a full reload would lose it. */
    __rosterE2eNoReload?: string;
    /** `performance.now()` of each `online` event and each EventSource the page creates. */
    __rosterE2eTimes?: { online: number[]; streamOpened: number[] };
  }
}

test('a tab that was offline catches up when back online: users created meanwhile appear once each, without a reload', async ({
  context,
  api,
}) => {
  // Emulated offline (context.setOffline) fails every new request, but Chromium leaves an
  // EventSource that is already open running — a real network drop does not. So when the
  // page hears `offline`, this stand-in for the dropped connection closes its streams and
  // fires `error`, as a real drop would. (A Chromium that does drop the stream by itself
  // gives the same picture: its `error` on a closed source is never delivered.)
  await context.addInitScript(() => {
    const times = (window.__rosterE2eTimes = { online: [] as number[], streamOpened: [] as number[] });
    window.addEventListener('online', () => times.online.push(performance.now()));
    const Native = window.EventSource;
    const open = new Set<EventSource>();
    class DroppableEventSource extends Native {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        times.streamOpened.push(performance.now());
        open.add(this);
      }
      close() {
        open.delete(this);
        super.close();
      }
    }
    window.EventSource = DroppableEventSource;
    window.addEventListener('offline', () => {
      for (const source of open) {
        source.close();
        source.dispatchEvent(new Event('error'));
      }
    });
  });

  const page = await context.newPage();
  const ui = dashboard(page);
  const streams: { url: URL; status: number }[] = [];
  page.on('response', (r) => {
    if (isEventStream(r.url())) streams.push({ url: new URL(r.url()), status: r.status() });
  });
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.count).toHaveText(countText(0));
  const cursor = streams[0]?.url.searchParams.get('lastEventId');
  expect(cursor).toMatch(/^\d+$/);
  const marker = crypto.randomUUID();
  await page.evaluate((value) => (window.__rosterE2eNoReload = value), marker);

  await context.setOffline(true);
  await expect(ui.connection).toHaveText('Disconnected');
  await expect(page.getByTestId('connection-reason')).toHaveText('— this device is offline; retrying when the network is back');

  const people = ['Offline Olga', 'Offline Omar', 'Offline Oona'].map((name) => ({ name, email: uniqueEmail('offline') }));
  for (const { name, email } of people) await createUser(api, name, email);

  // Focus retries the stream at once; offline, that attempt fails, so nothing can arrive.
  const retryFailed = page.waitForEvent('requestfailed', (r) => isEventStream(r.url()));
  await page.evaluate(() => window.dispatchEvent(new Event('focus')));
  await retryFailed;
  await expect(ui.rows).toHaveCount(0);
  await expect(ui.connection).toHaveText('Disconnected');

  const streamsBeforeOnline = streams.length;
  await context.setOffline(false); // the page hears `online` and reconnects at once

  for (const { name, email } of people) {
    await expect(ui.row(email)).toHaveCount(1);
    await expect(ui.row(email)).toContainText(name);
  }
  await expect(ui.rows).toHaveCount(people.length);
  await expect(ui.count).toHaveText(countText(people.length));
  await expect(ui.connection).toHaveText('Connected (SSE)');
  // The stream reopened from where the table stood, so the server replayed what it missed.
  const reopened = streams.slice(streamsBeforeOnline);
  expect(reopened.map((s) => s.status)).toEqual([200]);
  expect(reopened[0]?.url.searchParams.get('lastEventId')).toBe(cursor);
  expect(await page.evaluate(() => window.__rosterE2eNoReload)).toBe(marker);
  // …and it reopened on the `online` event itself, not when the retry timer (>= 0.5 s) came due.
  const times = await page.evaluate(() => window.__rosterE2eTimes);
  const online = times?.online.at(-1) ?? Number.NaN;
  const reopenedAt = times?.streamOpened.find((t) => t >= online) ?? Number.POSITIVE_INFINITY;
  expect(reopenedAt - online).toBeLessThan(250);
});
