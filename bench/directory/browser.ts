// The browser side: Chromium, a signed-in context and the probe installed in every page. The
// probe is written as plain JavaScript: tsx would wrap named functions in a helper the page does not have.
import { existsSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from '@playwright/test';
import { sleep } from '../servers';
import { CHROMIUM, CHROMIUM_ARGS, SESSION_COOKIE, now } from './config';

/**
 * Installed before any page script: records when the status first reads "Connected (SSE)"
 * (performance.now(), from navigation start) and when the first EventSource was made and opened, reports each user row as it is added to the DOM to
 * `window.__benchSeen` when the page has one (with when, on the wall clock), and gives `__bench.snapshot()` (the visible rows —
 * rows fading out are aria-hidden — the count text and the status).
 */
export const PROBE = `(() => {
  const bench = { connectedAt: null, streamAt: null, openAt: null, seen: new Set() };
  Object.defineProperty(window, '__bench', { value: bench });
  // When the page's code opened the stream (it runs once the page is hydrated) and when the server answered.
  const NativeEventSource = window.EventSource;
  if (NativeEventSource) {
    window.EventSource = class extends NativeEventSource {
      constructor(url, init) {
        super(url, init);
        if (bench.streamAt === null) bench.streamAt = performance.now();
        this.addEventListener('open', () => {
          if (bench.openAt === null) bench.openAt = performance.now();
        });
      }
    };
  }
  bench.snapshot = () => ({
    rows: [...document.querySelectorAll('tbody tr[data-user-id]:not([aria-hidden="true"])')].map((row) => ({
      id: Number(row.getAttribute('data-user-id')),
      // By column, not by position: a writer's rows begin with a checkbox cell.
      name: (row.querySelector('td[data-column="name"]') || {}).textContent || '',
      email: (row.querySelector('td[data-column="email"]') || {}).textContent || '',
    })),
    hidden: [...document.querySelectorAll('tbody tr[data-user-id][aria-hidden="true"]')].map((row) => Number(row.getAttribute('data-user-id'))),
    count: (document.querySelector('[data-testid="user-count"]') || {}).textContent || '',
    status: (document.querySelector('[data-testid="connection-status"]') || {}).textContent || '',
  });
  const report = (node) => {
    if (node.nodeType !== 1) return;
    const rows = node.matches('tr[data-user-id]') ? [node] : node.querySelectorAll('tr[data-user-id]');
    for (const row of rows) {
      const id = Number(row.getAttribute('data-user-id'));
      if (bench.seen.has(id)) continue;
      bench.seen.add(id);
      // With the page's wall-clock time it was added (this machine's clock, as the server's).
      if (typeof window.__benchSeen === 'function') window.__benchSeen(id, performance.timeOrigin + performance.now());
    }
  };
  new MutationObserver((records) => {
    if (bench.connectedAt === null) {
      const status = document.querySelector('[data-testid="connection-status"]');
      if (status && status.textContent === 'Connected (SSE)') bench.connectedAt = performance.now();
    }
    for (const record of records) for (const node of record.addedNodes) report(node);
  }).observe(document, { childList: true, subtree: true, characterData: true });
})();`;

/** The visible rows, the ids of rows fading out (aria-hidden), the count text and the status text. */
export type Snapshot = { rows: { id: number; name: string; email: string }[]; hidden: number[]; count: string; status: string };

export const snapshot = (page: Page) => page.evaluate<Snapshot>('window.__bench.snapshot()');

/**
 * Polls `expression` in the page until it is neither null nor false. Not waitForFunction: that
 * compiles its predicate in the page, which the app's Content-Security-Policy (no 'unsafe-eval') refuses.
 */
export async function until<T>(page: Page, expression: string, timeoutMs: number): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate<T | null | false>(expression).catch(() => null);
    if (value !== null && value !== false) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(50);
  }
}

export async function waitConnected(page: Page, timeoutMs = 20_000): Promise<void> {
  await until<true>(page, `window.__bench.snapshot().status === 'Connected (SSE)'`, timeoutMs);
}

/** A browser context signed in as the admin (the session cookie, as the login would set it). */
export async function signedInContext(browser: Browser, base: string, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: base, httpOnly: true, sameSite: 'Lax' }]);
  await context.addInitScript(PROBE);
  return context;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: CHROMIUM_ARGS });
}
