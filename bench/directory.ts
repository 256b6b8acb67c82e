// npm run bench -- --mode directory – the directory at scale, for SQLite and PostgreSQL:
//   npm run bench -- --mode directory --users 100000 --databases sqlite,postgresql [--port 3500]
//     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]   (or BENCH_POSTGRES_URL: the server's
//     maintenance database; a fresh database is created beside it and dropped afterwards)
// Needs the production build (`npm run build`) and Chromium (/usr/bin/chromium, else Playwright's).
// Per database: a fresh database (SQLite: a file under bench/results/tmp-directory), migrated, seeded
// with --users generated users (prisma/seed.ts, as `npm run db:seed -- --users N`, timed whole), one
// `npm start` (server.ts) on --port. Then:
//   1. the dashboard's first page: HTML bytes, server time (30 GETs of / with a session cookie, to
//      the last byte) and, in Chromium, from navigation start until "Connected (SSE)" and the JS heap
//      after load (5 loads, each in a fresh context: a first visit);
//   2. GET /api/users: each sort both ways over pages 1–4 and one page back (cursors), searches
//      (common, rare, no match) over their first pages, and a 304 (If-None-Match);
//   3. a user created through the API until its row appears in a dashboard in another browser;
//   4. 20 dashboards on different views (one browser context) while 50 events happen: first 25
//      edits/deletes far from every dashboard's rows (no dashboard may ask the server anything), then
//      25 mixed ones aimed at the dashboards' rows (creates, edits moving rows in, out and within a
//      page, deletes; three back to back on one page, four racing a page's refill, five at once)
//      and a few far from them. After each part settles, every dashboard's rows (ids, names,
//      emails, in order) and total must equal a fresh GET /api/users of its view;
//   5. pages against the events they claim to reflect: a search read while users it matches are
//      created; a page must count exactly the creates whose events are at most its lastEventId.
// Prints a markdown table per database, figures next to targets, and writes
// bench/results/directory-<time>.json. Needs at least 10,000 users (the events rely on the seed's layout).
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, type BrowserContext, chromium, type Page } from '@playwright/test';
import pg from 'pg';
import type { PageDTO, UserDTO } from '../lib/shared/dto';
import { agent, type Answer, API_TOKEN, type Instance, request, ROOT, ROSTER_ENV, rosterEnv, runScript, serverNodeVersion, sleep, startRoster, stopAll } from './servers';
import { type Summary, summarize } from './stats';

export type DirectoryOptions = { users: number; databases: string[]; port: number; postgres: string };

const KINDS = ['sqlite', 'postgresql'] as const;
export type Kind = (typeof KINDS)[number];

const SAMPLES = 30;
const LOADS = 5;
const CREATES = 20;
/** The events of part 4 rely on the seed's layout, which needs this many users (the windows at either end stay apart). */
const MIN_USERS = 10_000;
const SESSION_COOKIE = 'roster_session';
const TMP = path.join(ROOT, 'bench/results/tmp-directory');
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A tag for the emails this run makes, so runs never collide. */
const RUN = Date.now().toString(36);
const now = () => performance.now();
/** A number for the report ('–' when there is none). */
const f = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '–');

const TARGETS = {
  htmlKb: 100,
  seedSeconds: 30,
  serverP95Ms: 150,
  connectedP95Ms: 1_500,
  heapMb: 40,
  sortP95Ms: 50,
  searchP95Ms: 150,
  notModifiedP95Ms: 5,
  createVisibleP95Ms: 300,
};

// ---------------------------------------------------------------------------------------------
// Databases

type Database = { kind: Kind; url: string; drop: () => Promise<void> };

async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database, or why there cannot be one. */
export async function createDatabase(kind: Kind, adminUrl: string): Promise<Database | string> {
  if (kind === 'sqlite') {
    mkdirSync(TMP, { recursive: true });
    const file = path.join(TMP, `directory-${RUN}.db`);
    const drop = async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
    };
    await drop();
    return { kind, url: `file:${file}`, drop };
  }
  const name = `roster_bench_${randomUUID().slice(0, 8)}`;
  const identifier = pg.escapeIdentifier(name);
  try {
    await withPg(adminUrl, (client) => client.query(`CREATE DATABASE ${identifier}`));
  } catch (error) {
    return `PostgreSQL at ${URL.canParse(adminUrl) ? new URL(adminUrl).host : '?'} is unreachable or refused (${(error as Error).message})`;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      await withPg(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

type Timed = { ms: number; answer: Answer };

async function timed(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Timed> {
  const started = now();
  const answer = await request(port, method, url, body, headers);
  return { ms: now() - started, answer };
}

const parsePage = (answer: Answer) => JSON.parse(answer.text) as PageDTO;

/** `url` with `params` added (empty values left out). */
function withParams(url: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text ? `${url}?${text}` : url;
}

type ViewQuery = { q?: string; sort: 'name' | 'email' | 'createdAt'; order: 'asc' | 'desc' };

/** The API page of a view (and cursor). */
async function apiPage(port: number, view: ViewQuery, cursor?: string | null): Promise<PageDTO> {
  const url = withParams('/api/users', { ...view, cursor });
  const { status, text } = await request(port, 'GET', url);
  if (status !== 200) throw new Error(`GET ${url} answered ${status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as PageDTO;
}

/** A metric and the problems met measuring it (wrong statuses, say). */
type Sampled = { label: string; urls: string[]; summary: Summary; problems: string[] };

/** `count` GETs cycling through `urls` one at a time (after one warm-up each), timed to the last byte. */
async function sample(port: number, label: string, urls: string[], count: number, expectStatus = 200, headers: (url: string) => Record<string, string> = () => ({})): Promise<Sampled> {
  const problems: string[] = [];
  for (const url of urls) await request(port, 'GET', url, undefined, headers(url));
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const url = urls[i % urls.length] ?? '/';
    const { ms, answer } = await timed(port, 'GET', url, undefined, headers(url));
    if (answer.status !== expectStatus) problems.push(`GET ${url} answered ${answer.status}, not ${expectStatus}`);
    times.push(ms);
  }
  return { label, urls, summary: summarize(times), problems: [...new Set(problems)] };
}

// ---------------------------------------------------------------------------------------------
// The browser side. Written as plain JavaScript: tsx would wrap named functions in a helper the
// page does not have.

/**
 * Installed before any page script: records when the status first reads "Connected (SSE)"
 * (performance.now(), from navigation start) and when the first EventSource was made and opened, reports each user row as it is added to the DOM to
 * `window.__benchSeen` when the page has one, and gives `__bench.snapshot()` (the visible rows —
 * rows fading out are aria-hidden — the count text and the status).
 */
const PROBE = `(() => {
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
      name: row.cells[0] ? row.cells[0].textContent : '',
      email: row.cells[1] ? row.cells[1].textContent : '',
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
      if (typeof window.__benchSeen === 'function') window.__benchSeen(id);
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
type Snapshot = { rows: { id: number; name: string; email: string }[]; hidden: number[]; count: string; status: string };

const snapshot = (page: Page) => page.evaluate<Snapshot>('window.__bench.snapshot()');

/**
 * Polls `expression` in the page until it is neither null nor false. Not waitForFunction: that
 * compiles its predicate in the page, which the app's Content-Security-Policy (no 'unsafe-eval') refuses.
 */
async function until<T>(page: Page, expression: string, timeoutMs: number): Promise<T> {
  const deadline = now() + timeoutMs;
  for (;;) {
    const value = await page.evaluate<T | null | false>(expression).catch(() => null);
    if (value !== null && value !== false) return value;
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(50);
  }
}

async function waitConnected(page: Page, timeoutMs = 20_000): Promise<void> {
  await until<true>(page, `window.__bench.snapshot().status === 'Connected (SSE)'`, timeoutMs);
}

/** Signs in through the real login form, once, and returns the session cookie's token. */
async function sessionToken(browser: Browser, base: string): Promise<string> {
  const context = await browser.newContext({ baseURL: base });
  try {
    const page = await context.newPage();
    await page.goto('/login');
    await page.getByLabel('Password').fill(ROSTER_ENV.ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/`);
    const cookie = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
    if (!cookie) throw new Error('signing in set no session cookie');
    return cookie.value;
  } finally {
    await context.close();
  }
}

/** A browser context signed in as the admin (the session cookie, as the login would set it). */
async function signedInContext(browser: Browser, base: string, token: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL: base });
  await context.addCookies([{ name: SESSION_COOKIE, value: token, url: base, httpOnly: true, sameSite: 'Lax' }]);
  await context.addInitScript(PROBE);
  return context;
}

async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined, args: CHROMIUM_ARGS });
}

// ---------------------------------------------------------------------------------------------
// 1. The dashboard's first page

type FirstPage = {
  htmlBytes: number;
  htmlGzipBytes: number;
  htmlRows: number;
  server: Sampled;
  connectedMs: Summary;
  heapMb: { afterLoad: Summary; afterGc: Summary };
  htmlInlineScriptBytes: number;
  /** The table's rows as markup (`<tbody>…</tbody>`). */
  htmlTableBodyBytes: number;
  navigation: { responseEndMs: number; domContentLoadedMs: number; loadMs: number; streamCreatedMs: number | null; streamOpenMs: number | null }[];
  problems: string[];
};

async function firstPage(port: number, browser: Browser, base: string, token: string): Promise<FirstPage> {
  const cookie = { Cookie: `${SESSION_COOKIE}=${token}` };
  const { text, status } = await request(port, 'GET', '/', undefined, cookie);
  const problems = status === 200 ? [] : [`GET / answered ${status}`];
  const server = await sample(port, 'GET / (dashboard HTML)', ['/'], SAMPLES, 200, () => cookie);

  const connected: number[] = [];
  const afterLoad: number[] = [];
  const afterGc: number[] = [];
  const navigation: FirstPage['navigation'] = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await signedInContext(browser, base, token);
    try {
      const page = await context.newPage();
      await page.goto('/', { waitUntil: 'load', timeout: 30_000 });
      connected.push(await until<number>(page, 'window.__bench.connectedAt', 20_000));
      navigation.push(
        await page.evaluate<FirstPage['navigation'][number]>(`(() => {
          const entry = performance.getEntriesByType('navigation')[0];
          return {
            responseEndMs: entry.responseEnd,
            domContentLoadedMs: entry.domContentLoadedEventEnd,
            loadMs: entry.loadEventEnd,
            streamCreatedMs: window.__bench.streamAt,
            streamOpenMs: window.__bench.openAt,
          };
        })()`),
      );
      await sleep(300);
      const cdp = await context.newCDPSession(page);
      afterLoad.push((await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20);
      await cdp.send('HeapProfiler.collectGarbage');
      afterGc.push((await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20);
    } catch (error) {
      problems.push(`dashboard load ${i + 1}: ${(error as Error).message.split('\n')[0]}`);
    } finally {
      await context.close();
    }
  }
  return {
    htmlBytes: Buffer.byteLength(text),
    htmlGzipBytes: gzipSync(text).length,
    htmlRows: (text.match(/<tr[^>]*data-user-id=/g) ?? []).length,
    // Inline scripts: mostly the React Server Components payload (the page's data once more, for hydration).
    htmlTableBodyBytes: Buffer.byteLength(/<tbody[\s\S]*?<\/tbody>/.exec(text)?.[0] ?? ''),
    htmlInlineScriptBytes: [...text.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].reduce((sum, match) => sum + Buffer.byteLength(match[1] ?? ''), 0),
    server,
    connectedMs: summarize(connected),
    heapMb: { afterLoad: summarize(afterLoad), afterGc: summarize(afterGc) },
    navigation,
    problems: [...problems, ...server.problems],
  };
}

// ---------------------------------------------------------------------------------------------
// 2. GET /api/users

type Api = { sorts: Sampled[]; searches: Sampled[]; notModified: Sampled };

/** Pages 1–4 of a view through its next cursors, then page 3 again through page 4's previous cursor. */
async function pageUrls(port: number, view: ViewQuery, depth: number): Promise<string[]> {
  const urls = [withParams('/api/users', { ...view })];
  let page = await apiPage(port, view);
  for (let i = 1; i < depth && page.nextCursor; i++) {
    const cursor = page.nextCursor;
    urls.push(withParams('/api/users', { ...view, cursor }));
    page = await apiPage(port, view, cursor);
  }
  if (page.prevCursor && urls.length > 1) urls.push(withParams('/api/users', { ...view, cursor: page.prevCursor }));
  return urls;
}

/** The search terms: one in many names, one in one email, one in none. */
function searchTerms(users: number) {
  return { common: 'ada', rare: `user${Math.floor(users / 3)}.`, none: 'zq-no-such-user' };
}

async function api(port: number, users: number): Promise<Api> {
  const sorts: Sampled[] = [];
  for (const sort of ['createdAt', 'name', 'email'] as const) {
    for (const order of ['desc', 'asc'] as const) {
      sorts.push(await sample(port, `sort=${sort} order=${order}, pages 1–4 and one back`, await pageUrls(port, { sort, order }, 4), SAMPLES));
    }
  }
  const searches: Sampled[] = [];
  for (const [kind, q] of Object.entries(searchTerms(users))) {
    searches.push(await sample(port, `q=${q} (${kind}), pages 1–2`, await pageUrls(port, { q, sort: 'createdAt', order: 'desc' }, 2).then((urls) => urls.slice(0, 2)), SAMPLES));
  }
  const { headers } = await request(port, 'GET', '/api/users');
  const etag = typeof headers.etag === 'string' ? headers.etag : '';
  const notModified = await sample(port, 'GET /api/users, If-None-Match', ['/api/users'], SAMPLES, 304, () => ({ 'If-None-Match': etag }));
  return { sorts, searches, notModified };
}

// ---------------------------------------------------------------------------------------------
// 3. Create → visible in another browser

type CreateVisible = { latencyMs: Summary; missed: number; problems: string[] };

async function createVisible(port: number, browser: Browser, base: string, token: string): Promise<CreateVisible> {
  const context = await signedInContext(browser, base, token);
  const seenAt = new Map<number, number>();
  const problems: string[] = [];
  const latencies: number[] = [];
  let missed = 0;
  try {
    const page = await context.newPage();
    await page.exposeFunction('__benchSeen', (id: number) => {
      if (!seenAt.has(id)) seenAt.set(id, now());
    });
    await page.goto('/', { waitUntil: 'load', timeout: 30_000 });
    await waitConnected(page);
    await sleep(500);
    for (let k = 0; k < CREATES; k++) {
      const sent = now();
      const { status, text } = await request(port, 'POST', '/api/users', { name: `Dirbench Create ${k}`, email: `dirbench-create-${k}-${RUN}@bench.local` });
      if (status !== 201) {
        problems.push(`POST /api/users answered ${status}: ${text.slice(0, 200)}`);
        continue;
      }
      const { id } = JSON.parse(text) as UserDTO;
      const deadline = now() + 5_000;
      while (!seenAt.has(id) && now() < deadline) await sleep(2);
      const at = seenAt.get(id);
      if (at === undefined) missed++;
      else latencies.push(at - sent);
      await sleep(150);
    }
  } catch (error) {
    problems.push((error as Error).message.split('\n')[0] ?? 'error');
  } finally {
    await context.close();
  }
  if (missed > 0) problems.push(`${missed} of ${CREATES} created users never appeared in the other browser within 5 s`);
  return { latencyMs: summarize(latencies), missed, problems };
}

// ---------------------------------------------------------------------------------------------
// 4. Twenty live dashboards while users change

type ViewSpec = { label: string; view: ViewQuery; page: 1 | 2 | 3; back?: boolean };

function viewSpecs(users: number): ViewSpec[] {
  const { rare } = searchTerms(users);
  const v = (sort: ViewQuery['sort'], order: ViewQuery['order'], q?: string): ViewQuery => ({ q, sort, order });
  return [
    { label: 'createdAt desc p1 (default)', view: v('createdAt', 'desc'), page: 1 },
    { label: 'createdAt desc p2', view: v('createdAt', 'desc'), page: 2 },
    { label: 'createdAt desc p3', view: v('createdAt', 'desc'), page: 3 },
    { label: 'createdAt asc p1', view: v('createdAt', 'asc'), page: 1 },
    { label: 'createdAt asc p2', view: v('createdAt', 'asc'), page: 2 },
    { label: 'name asc p1', view: v('name', 'asc'), page: 1 },
    { label: 'name asc p2', view: v('name', 'asc'), page: 2 },
    { label: 'name asc p3', view: v('name', 'asc'), page: 3 },
    { label: 'name desc p1', view: v('name', 'desc'), page: 1 },
    { label: 'name desc p2 (before-cursor)', view: v('name', 'desc'), page: 2, back: true },
    { label: 'email asc p1', view: v('email', 'asc'), page: 1 },
    { label: 'email asc p2', view: v('email', 'asc'), page: 2 },
    { label: 'email desc p1', view: v('email', 'desc'), page: 1 },
    { label: 'email desc p3', view: v('email', 'desc'), page: 3 },
    { label: 'q=ada createdAt desc p1', view: v('createdAt', 'desc', 'ada'), page: 1 },
    { label: 'q=ada name asc p2', view: v('name', 'asc', 'ada'), page: 2 },
    { label: 'q=hopper email asc p1', view: v('email', 'asc', 'hopper'), page: 1 },
    { label: 'q=grace createdAt asc p1', view: v('createdAt', 'asc', 'grace'), page: 1 },
    { label: 'q=dirbench createdAt desc p1', view: v('createdAt', 'desc', 'dirbench'), page: 1 },
    { label: `q=${rare} createdAt desc p1 (one match)`, view: v('createdAt', 'desc', rare), page: 1 },
  ];
}

/** The dashboard URL of a view's page: page 2 and 3 through next cursors, or page 2 back from page 3. */
async function dashboardUrl(port: number, spec: ViewSpec): Promise<string> {
  let cursor: string | null = null;
  let page = await apiPage(port, spec.view);
  for (let i = 1; i < spec.page + (spec.back ? 1 : 0); i++) {
    cursor = page.nextCursor;
    if (!cursor) throw new Error(`${spec.label}: the view has no page ${i + 1}`);
    page = await apiPage(port, spec.view, cursor);
  }
  if (spec.back) cursor = page.prevCursor;
  return withParams('/', { ...spec.view, cursor });
}

/** What the dashboards' requests count towards: each part of the events runs until its comparison. */
type Phase = 'setup' | 'outside' | 'mixed';

type Dashboard = {
  spec: ViewSpec;
  url: string;
  page: Page;
  /** GET /api/users requests per phase, and the URLs of every other request but the stream and static files. */
  api: Record<Phase, number>;
  other: string[];
  inflight: number;
  lastActivity: number;
  /** Its GET /api/users calls once the events began (ms since then): what it asked and what came back. */
  calls: Call[];
  /** Events in the mixed part that edited or deleted a user visible on this dashboard at the time. */
  touched: number;
};

type Comparison = { label: string; equal: boolean; difference?: string };

type Call = { phase: Phase; url: string; sentMs: number; ifNoneMatch?: string; doneMs?: number; status?: number; failure?: string; lastEventId?: number; ids?: number[] };

/** An event of part 4: what, when it was sent and answered (ms since the events began), and which dashboards showed the user. */
type EventLog = { phase: Phase; what: string; id?: number; status: number; sentMs: number; doneMs: number; touched: string[] };

type Dashboards = {
  opened: number;
  connected: number;
  afterOutside: Comparison[];
  afterMixed: Comparison[];
  /** Dashboards that did not match after the mixed events, checked again 5 s later. */
  later: Comparison[];
  perDashboard: { label: string; url: string; apiOutside: number; apiMixed: number; touchedMixed: number; other: string[]; calls: Call[] }[];
  events: EventLog[];
  problems: string[];
};

const shown = (count: string) => Number(/^([\d,]+) users?/.exec(count)?.[1]?.replace(/,/g, '') ?? Number.NaN);

function describeIds(ids: number[]): string {
  return ids.length <= 12 ? `[${ids.join(', ')}]` : `[${ids.slice(0, 6).join(', ')}, …, ${ids.slice(-4).join(', ')}] (${ids.length})`;
}

/** The dashboard against a fresh GET /api/users of its view: rows (ids, names, emails, in order) and total. */
async function compare(port: number, dashboard: Dashboard): Promise<Comparison> {
  const label = dashboard.spec.label;
  const snap = await snapshot(dashboard.page);
  const url = new URL(dashboard.page.url());
  const answer = await request(port, 'GET', `/api/users${url.search}`);
  if (answer.status !== 200) return { label, equal: false, difference: `GET /api/users${url.search} answered ${answer.status}` };
  const server = parsePage(answer);
  const expected = server.users.map((user) => user.id);
  const actual = snap.rows.map((row) => row.id);
  const differences: string[] = [];
  if (expected.join() !== actual.join()) {
    const missing = expected.filter((id) => !actual.includes(id));
    const extra = actual.filter((id) => !expected.includes(id));
    differences.push(
      `rows: server ${describeIds(expected)}, dashboard ${describeIds(actual)}` +
        (missing.length ? `; missing ${describeIds(missing)}` : '') +
        (extra.length ? `; extra ${describeIds(extra)}` : '') +
        (!missing.length && !extra.length ? '; same rows, other order' : ''),
    );
  } else {
    const byId = new Map(server.users.map((user) => [user.id, user]));
    for (const row of snap.rows) {
      const user = byId.get(row.id);
      if (user && (user.name !== row.name || user.email !== row.email)) differences.push(`user ${row.id}: server “${user.name}” <${user.email}>, dashboard “${row.name}” <${row.email}>`);
    }
  }
  if (shown(snap.count) !== server.total) differences.push(`total: server ${server.total}, dashboard “${snap.count}”`);
  if (snap.status !== 'Connected (SSE)') differences.push(`status “${snap.status}”`);
  if (!differences.length) return { label, equal: true };
  // What the dashboard did, for whoever looks into it.
  const missing = expected.filter((id) => !actual.includes(id));
  if (snap.hidden.length) differences.push(`rows fading out (aria-hidden) ${describeIds(snap.hidden)}`);
  const calls = dashboard.calls.map(
    (call) =>
      `sent +${f(call.sentMs)} ms${call.ifNoneMatch ? ` (If-None-Match ${call.ifNoneMatch})` : ''} → ` +
      (call.failure ?? `${call.status ?? '?'} at +${f(call.doneMs)} ms${call.ids ? `, event ${call.lastEventId}, ${call.ids.length} rows${missing.length ? `, with ${missing.map((id) => `${id}: ${call.ids?.includes(id) ? 'yes' : 'no'}`).join(', ')}` : ''}` : ''}`),
  );
  differences.push(`server page at event ${server.lastEventId}`, `its GET /api/users since the events began: ${calls.length ? calls.join(' | ') : 'none'}`);
  return { label, equal: false, difference: differences.join('; ') };
}

/** Waits until no dashboard has a /api/users request open and nothing happened for `quietMs` (at most `maxMs`). */
async function settle(dashboards: Dashboard[], since: number, quietMs = 1_500, maxMs = 20_000): Promise<void> {
  const deadline = now() + maxMs;
  while (now() < deadline) {
    const last = Math.max(since, ...dashboards.map((d) => d.lastActivity));
    if (dashboards.every((d) => d.inflight === 0) && now() - last >= quietMs) return;
    await sleep(100);
  }
}

async function getUser(port: number, id: number): Promise<UserDTO | null> {
  const { status, text } = await request(port, 'GET', `/api/users/${id}`);
  return status === 200 ? (JSON.parse(text) as UserDTO) : null;
}

/** The one user a search finds (the seed's email `user<n>.<run>@…`), or null. */
async function seededUser(port: number, n: number): Promise<UserDTO | null> {
  const page = await apiPage(port, { q: `user${n}.`, sort: 'createdAt', order: 'desc' });
  return page.users.length === 1 ? (page.users[0] ?? null) : null;
}

/** Where each seeded user's email (`user<n>.<run>@…`) falls among all of them, as the database sorts text. */
function emailRanks(users: number): Int32Array {
  const order = Array.from({ length: users }, (_, n) => n).sort((a, b) => {
    const [x, y] = [`${a}.`, `${b}.`];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const ranks = new Int32Array(users);
  order.forEach((n, rank) => (ranks[n] = rank));
  return ranks;
}

/**
 * Seeded users (prisma/seed.ts: user n is "<FIRST[n % 24]> <LAST[⌊n / 24⌋ % 24]> n", email
 * user<n>.<run>@example.com, created in order of n) far from every dashboard's rows: in the middle
 * 60% by time and by email (the filters keep their names away from the ends of the alphabet).
 */
function middleNumbers(users: number, ranks: Int32Array, accept: (n: number) => boolean, count: number, skip: Set<number>): number[] {
  const found: number[] = [];
  const [low, high] = [Math.floor(users * 0.2), Math.floor(users * 0.8)];
  for (let n = low; n < high && found.length < count; n++) {
    const rank = ranks[n] ?? -1;
    if (rank < low || rank >= high || skip.has(n) || !accept(n)) continue;
    found.push(n);
    skip.add(n);
  }
  if (found.length < count) throw new Error(`Too few users to pick events from: use --users ${MIN_USERS} or more.`);
  return found;
}

const first = (n: number) => n % 24; // 0 Ada, 1 Grace, 23 Łucja
const last = (n: number) => Math.floor(n / 24) % 24; // 1 Hopper
/** The last names late in the alphabet: Turing, Torvalds, Thompson, Wilson, Wirth, Wójcik. */
const LATE_LAST = [2, 10, 12, 13, 16, 23];

async function dashboardsUnderEvents(port: number, browser: Browser, base: string, token: string, users: number): Promise<Dashboards> {
  const problems: string[] = [];
  const events: EventLog[] = [];
  let phase: Phase = 'setup';
  let eventsStarted = now();

  // Users for the events far from every dashboard, found before the dashboards open.
  const skip = new Set([Math.floor(users / 3)]);
  const plain = (n: number) => ![0, 1, 23].includes(first(n)) && last(n) !== 1;
  const pick = async (numbers: number[]) => (await Promise.all(numbers.map((n) => seededUser(port, n)))).filter((user): user is UserDTO => user !== null);
  const ranks = emailRanks(users);
  const plainUsers = await pick(middleNumbers(users, ranks, plain, 22, skip));
  const lateAda = await pick(middleNumbers(users, ranks, (n) => first(n) === 0 && LATE_LAST.includes(last(n)), 10, skip));
  const hopper = await pick(middleNumbers(users, ranks, (n) => last(n) === 1 && ![0, 1, 23].includes(first(n)), 2, skip));
  if (plainUsers.length < 22 || lateAda.length < 10 || hopper.length < 2) throw new Error('The seeded users are not laid out as prisma/seed.ts makes them');

  const specs = viewSpecs(users);
  const context = await signedInContext(browser, base, token);
  const dashboards: Dashboard[] = [];
  try {
    for (const spec of specs) {
      const url = await dashboardUrl(port, spec);
      const page = await context.newPage();
      const dashboard: Dashboard = { spec, url, page, api: { setup: 0, outside: 0, mixed: 0 }, other: [], inflight: 0, lastActivity: 0, calls: [], touched: 0 };
      const calls = new Map<unknown, Call>();
      const isApi = (raw: string) => new URL(raw).pathname === '/api/users';
      page.on('request', (req) => {
        if (isApi(req.url())) {
          dashboard.api[phase]++;
          dashboard.inflight++;
          dashboard.lastActivity = now();
          if (phase !== 'setup') {
            const at = new URL(req.url());
            const call: Call = { phase, url: `${at.pathname}${at.search}`, sentMs: now() - eventsStarted, ifNoneMatch: req.headers()['if-none-match'] };
            calls.set(req, call);
            dashboard.calls.push(call);
          }
        }
      });
      // Any other request but the stream and static files, with whether Next sent it as a prefetch and its size.
      page.on('requestfinished', (req) => {
        const at = new URL(req.url());
        if (phase === 'setup' || isApi(req.url()) || at.pathname === '/events' || at.pathname.startsWith('/_next/static')) return;
        const label = `${phase}: ${req.method()} ${at.pathname}${at.search}${req.headers()['next-router-prefetch'] ? ' (prefetch)' : ''}`;
        void req.sizes().then(
          (sizes) => dashboard.other.push(`${label}, ${sizes.responseBodySize} B`),
          () => dashboard.other.push(label),
        );
      });
      const done = (req: object, finish: (call: Call) => Promise<void>) => {
        const call = calls.get(req);
        const settled = () => {
          dashboard.inflight = Math.max(0, dashboard.inflight - 1);
          dashboard.lastActivity = now();
        };
        if (!call) return settled();
        call.doneMs = now() - eventsStarted;
        void finish(call).catch(() => undefined).finally(settled);
      };
      page.on('requestfinished', (req) => {
        if (!isApi(req.url())) return;
        done(req, async (call) => {
          const response = await req.response();
          call.status = response?.status();
          if (response && call.status === 200) {
            const body = (await response.json()) as PageDTO;
            call.lastEventId = body.lastEventId;
            call.ids = body.users.map((user) => user.id);
          }
        });
      });
      page.on('requestfailed', (req) => {
        if (!isApi(req.url())) return;
        done(req, async (call) => {
          call.failure = req.failure()?.errorText ?? 'failed';
        });
      });
      await page.goto(url, { waitUntil: 'load', timeout: 30_000 });
      dashboards.push(dashboard);
    }
    let connected = 0;
    for (const dashboard of dashboards) {
      try {
        await waitConnected(dashboard.page, 30_000);
        connected++;
      } catch {
        problems.push(`${dashboard.spec.label}: not “Connected (SSE)” within 30 s (“${(await snapshot(dashboard.page)).status}”)`);
      }
    }
    await settle(dashboards, now(), 1_000);

    const byLabel = (prefix: string) => {
      const found = dashboards.find((d) => d.spec.label.startsWith(prefix));
      if (!found) throw new Error(`no dashboard ${prefix}`);
      return found;
    };
    const snapshots = async () => new Map(await Promise.all(dashboards.map(async (d) => [d, await snapshot(d.page)] as const)));
    /** Which dashboards show `id` now (in `snaps`), counted as touched in the mixed part. */
    const touch = (snaps: Map<Dashboard, Snapshot>, id: number) => {
      const on = dashboards.filter((d) => snaps.get(d)?.rows.some((row) => row.id === id));
      if (phase === 'mixed') for (const d of on) d.touched++;
      return on.map((d) => d.spec.label);
    };

    const since = () => now() - eventsStarted;
    const create = async (name: string, email: string): Promise<UserDTO | null> => {
      const sentMs = since();
      const { status, text } = await request(port, 'POST', '/api/users', { name, email });
      events.push({ phase, what: `create “${name}” <${email}>`, id: status === 201 ? (JSON.parse(text) as UserDTO).id : undefined, status, sentMs, doneMs: since(), touched: [] });
      return status === 201 ? (JSON.parse(text) as UserDTO) : null;
    };
    const edit = async (snaps: Map<Dashboard, Snapshot>, id: number, changes: (user: UserDTO) => { name?: string; email?: string }) => {
      const touched = touch(snaps, id);
      let status = 404;
      let what = `edit ${id} (not found)`;
      let sentMs = since();
      // A second try only if someone else changed the user in between (412).
      for (let attempt = 0; attempt < 2 && (attempt === 0 || status === 412); attempt++) {
        const user = await getUser(port, id);
        if (!user) break;
        const change = changes(user);
        sentMs = since();
        ({ status } = await request(port, 'PATCH', `/api/users/${id}`, change, { 'If-Match': `"${user.version}"` }));
        what = `edit ${id} “${user.name}” <${user.email}> → ${JSON.stringify(change)}`;
      }
      events.push({ phase, what, id, status, sentMs, doneMs: since(), touched });
    };
    const remove = async (snaps: Map<Dashboard, Snapshot>, id: number) => {
      const touched = touch(snaps, id);
      const sentMs = since();
      const { status } = await request(port, 'DELETE', `/api/users/${id}`);
      events.push({ phase, what: `delete ${id}`, id, status, sentMs, doneMs: since(), touched });
    };
    /** The id of the `index`th visible row (clamped) of a dashboard, or null when it shows none. */
    const rowOf = (snaps: Map<Dashboard, Snapshot>, prefix: string, index: number) => {
      const rows = snaps.get(byLabel(prefix))?.rows ?? [];
      return rows[Math.min(index, rows.length - 1)]?.id ?? null;
    };
    const emailX = (user: UserDTO) => user.email.replace('@', 'x@');

    // Part A: 25 edits and deletes far from every dashboard's rows.
    phase = 'outside';
    eventsStarted = now();
    let lastEvent = now();
    const before = await snapshots();
    const outside: (() => Promise<void>)[] = [
      ...plainUsers.slice(0, 4).map((user) => () => edit(before, user.id, (u) => ({ name: `${u.name} x` }))),
      ...plainUsers.slice(4, 8).map((user) => () => edit(before, user.id, (u) => ({ name: `${u.name} x`, email: emailX(u) }))),
      ...plainUsers.slice(8, 10).map((user) => () => edit(before, user.id, (u) => ({ name: `${u.name} graceful` }))),
      ...lateAda.slice(0, 2).map((user) => () => edit(before, user.id, (u) => ({ name: u.name.replace(/^Ada /, 'Ava ') }))),
      ...plainUsers.slice(10, 16).map((user) => () => remove(before, user.id)),
      ...lateAda.slice(2, 4).map((user) => () => remove(before, user.id)),
      ...hopper.slice(0, 1).map((user) => () => remove(before, user.id)),
      ...lateAda.slice(4, 8).map((user) => () => edit(before, user.id, (u) => ({ name: `${u.name} x` }))),
    ];
    const visibleBefore = dashboards.filter((d) => [...plainUsers, ...lateAda, ...hopper].some((user) => before.get(d)?.rows.some((row) => row.id === user.id)));
    if (visibleBefore.length) problems.push(`users picked as far from every dashboard are visible on ${visibleBefore.map((d) => d.spec.label).join(', ')}`);
    for (const event of outside) {
      await event();
      lastEvent = now();
      await sleep(100);
    }
    await settle(dashboards, lastEvent);
    const afterOutside = await Promise.all(dashboards.map((d) => compare(port, d)));

    // Part B: 25 mixed events aimed at the dashboards' rows, some at once, some far from them.
    phase = 'mixed';
    const step = async (run: (snaps: Map<Dashboard, Snapshot>) => Promise<unknown>) => {
      const snaps = await snapshots();
      await run(snaps);
      lastEvent = now();
      await sleep(150);
    };
    const at = (prefix: string, index: number, act: (snaps: Map<Dashboard, Snapshot>, id: number) => Promise<void>) => async (snaps: Map<Dashboard, Snapshot>) => {
      const id = rowOf(snaps, prefix, index);
      if (id === null) problems.push(`mixed event skipped: ${prefix} shows no rows`);
      else await act(snaps, id);
    };
    let firstCreated: UserDTO | null = null;
    const mixed: ((snaps: Map<Dashboard, Snapshot>) => Promise<unknown>)[] = [
      async () => (firstCreated = await create('Aaron Dirbench 1', `dirbench-m1-${RUN}@bench.local`)),
      // Three rows of one page deleted back to back: the page's refill races the next deletes.
      async (snaps) => {
        for (const row of snaps.get(byLabel('name asc p2'))?.rows.slice(23, 26) ?? []) await remove(snaps, row.id);
      },
      at('name asc p1', 4, (snaps, id) => edit(snaps, id, () => ({ name: 'Zz Dirbench moved 4' }))),
      at('email asc p1', 7, (snaps, id) => edit(snaps, id, () => ({ email: `zzz-m5-${RUN}@bench.local` }))),
      (snaps) => edit(snaps, plainUsers[16]?.id ?? 0, () => ({ name: 'Aardvark Dirbench 6' })),
      at('createdAt desc p1', 2, (snaps, id) => edit(snaps, id, (u) => ({ name: `${u.name} renamed` }))),
      // A row of a search page deleted, and while that page fetches its refill, three more changes
      // to users the search matches (one inside the page, two far from it) land 10 ms apart.
      async (snaps) => {
        await at('q=ada createdAt desc p1', 0, remove)(snaps);
        await Promise.all([
          create('Ada Dirbench 9', `ada-dirbench-m9-${RUN}@bench.local`),
          sleep(10).then(() => remove(snaps, lateAda[8]?.id ?? 0)),
          sleep(20).then(() => edit(snaps, lateAda[9]?.id ?? 0, (u) => ({ name: u.name.replace(/^Ada /, 'Ava ') }))),
        ]);
      },
      at('createdAt asc p2', 29, (snaps, id) => edit(snaps, id, (u) => ({ email: emailX(u) }))),
      at('createdAt desc p2', 0, remove),
      at('q=user', 0, remove),
      // Five at once: two creates, a delete and an edit on dashboards, a delete far from them.
      (snaps) =>
        Promise.all([
          create('Dirbench Burst 14', `dirbench-m14-${RUN}@bench.local`),
          create('Grace Dirbench 15', `grace-dirbench-m15-${RUN}@bench.local`),
          at('name desc p1', 1, remove)(snaps),
          at('q=hopper email asc p1', 3, (s, id) => edit(s, id, (u) => ({ name: `${u.name} x` })))(snaps),
          remove(snaps, plainUsers[17]?.id ?? 0),
        ]),
      async (snaps) => (firstCreated ? remove(snaps, firstCreated.id) : undefined),
      at('name asc p3', 49, (snaps, id) => edit(snaps, id, () => ({ name: 'Aab Dirbench 20' }))),
      at('email desc p1', 0, (snaps, id) => edit(snaps, id, () => ({ email: `a-dirbench-m21-${RUN}@bench.local` }))),
      () => create('Łucja Zzz Dirbench 24', `lucja-dirbench-m24-${RUN}@bench.local`),
      at('name desc p2', 0, (snaps, id) => edit(snaps, id, (u) => ({ email: emailX(u) }))),
    ];
    for (const event of mixed) await step(event);
    await settle(dashboards, lastEvent);
    const afterMixed = await Promise.all(dashboards.map((d) => compare(port, d)));
    let later: Comparison[] = [];
    if (afterMixed.some((c) => !c.equal)) {
      await sleep(5_000);
      later = await Promise.all(dashboards.filter((_, i) => !afterMixed[i]?.equal).map((d) => compare(port, d)));
    }
    for (const event of events) if (event.status >= 300) problems.push(`${event.phase} event ${event.what} answered ${event.status}`);
    return {
      opened: dashboards.length,
      connected,
      afterOutside,
      afterMixed,
      later,
      perDashboard: dashboards.map((d) => ({ label: d.spec.label, url: d.url, apiOutside: d.api.outside, apiMixed: d.api.mixed, touchedMixed: d.touched, other: d.other, calls: d.calls })),
      events,
      problems,
    };
  } finally {
    await context.close();
  }
}

// ---------------------------------------------------------------------------------------------
// 5. Pages against the events they claim to reflect

/**
 * A page says it reflects every event up to its lastEventId, and a dashboard replays the events
 * after that id on it. A page that already reflects a later write (read after the write committed
 * but before its event was published) gets that write applied twice: rows are idempotent, the
 * total is not. Here: creates of users only one search matches, two at a time, while that search is
 * read two at a time; each read's total against the creates whose events are at most its id.
 */
type Consistency = { writes: number; reads: number; ahead: number; behind: number; examples: string[]; problems: string[] };

const RACE_WRITES = 60;

async function pageEventConsistency(port: number): Promise<Consistency> {
  const tag = `racebench${RUN}`;
  const problems: string[] = [];
  const eventIds = new Map<string, number>();
  let connected = false;
  const stream = http.request(`http://127.0.0.1:${port}/events`, { agent: false, headers: { Authorization: `Bearer ${API_TOKEN}`, Accept: 'text/event-stream' } });
  stream.on('response', (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        if (frame.startsWith('event: connected')) connected = true;
        const match = /^event: user_created\nid: (\d+)\ndata: (.*)$/m.exec(frame);
        if (!match?.[2]) continue;
        const user = JSON.parse(match[2]) as UserDTO;
        if (user.email.startsWith(tag)) eventIds.set(user.email, Number(match[1]));
      }
    });
  });
  stream.on('error', () => undefined);
  stream.end();
  const reads: { total: number; lastEventId: number }[] = [];
  try {
    const deadline = now() + 5_000;
    while (!connected && now() < deadline) await sleep(10);
    if (!connected) throw new Error('the event stream did not connect');
    let next = 0;
    let writing = true;
    const writer = async () => {
      for (let k = next++; k < RACE_WRITES; k = next++) {
        const { status } = await request(port, 'POST', '/api/users', { name: `Racebench ${k}`, email: `${tag}-${k}@bench.local` });
        if (status !== 201) problems.push(`POST /api/users answered ${status}`);
      }
    };
    const reader = async () => {
      const until = now() + 60_000;
      while (writing && reads.length < 2_000 && now() < until) {
        const answer = await request(port, 'GET', `/api/users?q=${tag}&limit=1`);
        if (answer.status === 200) {
          const page = parsePage(answer);
          reads.push({ total: page.total, lastEventId: page.lastEventId });
        }
      }
    };
    const readers = [reader(), reader()];
    await Promise.all([writer(), writer()]);
    writing = false;
    await Promise.all(readers);
    const settled = now() + 5_000;
    while (eventIds.size < RACE_WRITES && now() < settled) await sleep(20);
    if (eventIds.size < RACE_WRITES) problems.push(`only ${eventIds.size} of ${RACE_WRITES} create events arrived on the stream`);
  } finally {
    stream.destroy();
  }
  const ids = [...eventIds.values()].sort((a, b) => a - b);
  let ahead = 0;
  let behind = 0;
  const examples: string[] = [];
  for (const read of reads) {
    const reflected = ids.filter((id) => id <= read.lastEventId).length;
    if (read.total === reflected) continue;
    if (read.total > reflected) ahead++;
    else behind++;
    if (examples.length < 3) examples.push(`page at event ${read.lastEventId} counts ${read.total} users, events up to it create ${reflected}`);
  }
  return { writes: RACE_WRITES, reads: reads.length, ahead, behind, examples, problems };
}

// ---------------------------------------------------------------------------------------------
// A database's run, and the report

type Result = {
  database: Kind;
  users: number;
  seedSeconds: number;
  /** The machine's 1-minute load average when the measurements began and ended (other work skews them). */
  loadAverage: { start: number; end: number };
  firstPage?: FirstPage;
  api?: Api;
  createVisible?: CreateVisible;
  dashboards?: Dashboards;
  consistency?: Consistency;
  /** Parts that stopped with an error (the others still ran), or the start that failed. */
  errors: string[];
};

/** Migrates the fresh database, then seeds it: the seed's whole run (start-up and demo users included), in seconds. */
async function seed(database: Database, users: number): Promise<number> {
  const env = rosterEnv(database.url);
  await runScript('prisma/migrate.ts', [], env);
  const started = performance.now();
  await runScript('prisma/seed.ts', ['--users', String(users)], env);
  return (performance.now() - started) / 1000;
}

async function measure(database: Database, options: DirectoryOptions, browser: Browser): Promise<Result> {
  const result: Result = { database: database.kind, users: options.users, seedSeconds: Number.NaN, loadAverage: { start: Number.NaN, end: Number.NaN }, errors: [] };
  const part = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    console.error(`… ${database.kind}: ${name}`);
    try {
      return await run();
    } catch (error) {
      const message = `${name}: ${(error as Error).stack ?? String(error)}`;
      result.errors.push(message);
      console.error(`${database.kind}, ${message}`);
      return undefined;
    }
  };
  let servers: Instance[] = [];
  try {
    console.error(`… ${database.kind}: seeding ${options.users} users`);
    result.seedSeconds = await seed(database, options.users);
    servers = await startRoster({ instances: 1, port: options.port, maxConnections: 1_000, execArgv: [], databaseUrl: database.url });
    const { port } = options;
    const base = `http://127.0.0.1:${port}`;
    const token = await sessionToken(browser, base);
    result.loadAverage.start = os.loadavg()[0] ?? Number.NaN;
    // Warm the routes once so first-request compilation and caches are not counted.
    await request(port, 'GET', '/api/users');
    await request(port, 'GET', '/', undefined, { Cookie: `${SESSION_COOKIE}=${token}` });
    result.firstPage = await part("the dashboard's first page", () => firstPage(port, browser, base, token));
    result.api = await part('GET /api/users', () => api(port, options.users));
    result.createVisible = await part('create → visible in another browser', () => createVisible(port, browser, base, token));
    result.dashboards = await part('20 dashboards under 50 events', () => dashboardsUnderEvents(port, browser, base, token, options.users));
    result.consistency = await part('pages against their event ids', () => pageEventConsistency(port));
  } catch (error) {
    result.errors.push(`start: ${(error as Error).stack ?? String(error)}`);
    console.error(`${database.kind}: ${result.errors.at(-1)}`);
  } finally {
    result.loadAverage.end = os.loadavg()[0] ?? Number.NaN;
    await stopAll(servers);
  }
  return result;
}

const verdict = (ok: boolean | undefined) => (ok === undefined ? '–' : ok ? 'yes' : '**no**');
const atMost = (value: number | undefined, target: number) => (value === undefined || !Number.isFinite(value) ? undefined : value <= target);
const navP50 = (page: FirstPage | undefined, key: 'domContentLoadedMs' | 'streamCreatedMs' | 'streamOpenMs') =>
  f(page ? summarize(page.navigation.map((n) => n[key] ?? Number.NaN).filter(Number.isFinite)).p50 : undefined);
const worst = (list: Sampled[] | undefined) => list?.reduce<Sampled | undefined>((a, b) => (a && a.summary.p95 >= b.summary.p95 ? a : b), undefined);

function table(result: Result): string {
  const { firstPage: page, api: calls, createVisible: creates, dashboards, consistency } = result;
  const sort = worst(calls?.sorts);
  const search = worst(calls?.searches);
  const kb = page ? page.htmlBytes / 1024 : undefined;
  const equal = dashboards?.afterMixed.filter((c) => c.equal).length;
  const equalOutside = dashboards?.afterOutside.filter((c) => c.equal).length;
  const outsideRequests = dashboards?.perDashboard.reduce((sum, d) => sum + d.apiOutside, 0);
  const untouched = dashboards?.perDashboard.filter((d) => d.touchedMixed === 0);
  const untouchedRequests = untouched?.reduce((sum, d) => sum + d.apiMixed, 0);
  const rows: [string, string, string, boolean | undefined][] = [
    [`Seed ${result.users.toLocaleString('en-US')} users (db:seed, the whole command)`, `${f(result.seedSeconds, 1)} s`, `≤ ${TARGETS.seedSeconds} s`, atMost(result.seedSeconds, TARGETS.seedSeconds)],
    [
      'Dashboard HTML, first page (gzip)',
      page ? `${f(kb, 1)} KB (${f(page.htmlGzipBytes / 1024, 1)} KB), ${page.htmlRows} rows; table body ${f(page.htmlTableBodyBytes / 1024, 1)} KB, inline scripts ${f(page.htmlInlineScriptBytes / 1024, 1)} KB` : '–', `≤ ${TARGETS.htmlKb} KB`, atMost(kb, TARGETS.htmlKb)],
    [`Dashboard server time p95 (${SAMPLES} GETs of /, last byte)`, `${f(page?.server.summary.p95, 1)} ms (p50 ${f(page?.server.summary.p50, 1)})`, `≤ ${TARGETS.serverP95Ms} ms`, atMost(page?.server.summary.p95, TARGETS.serverP95Ms)],
    [`Navigation → “Connected (SSE)” p95 (${page?.connectedMs.count ?? 0} fresh loads)`, `${f(page?.connectedMs.p95)} ms (p50 ${f(page?.connectedMs.p50)}; p50 DOMContentLoaded ${navP50(page, 'domContentLoadedMs')}, stream opened ${navP50(page, 'streamCreatedMs')}, answered ${navP50(page, 'streamOpenMs')})`, `≤ ${TARGETS.connectedP95Ms} ms`, atMost(page?.connectedMs.p95, TARGETS.connectedP95Ms)],
    ['JS heap after load, max (after GC)', `${f(page?.heapMb.afterLoad.max, 1)} MB (${f(page?.heapMb.afterGc.max, 1)} MB)`, `≤ ${TARGETS.heapMb} MB`, atMost(page?.heapMb.afterLoad.max, TARGETS.heapMb)],
    [`GET /api/users by sort p95, worst of 6 (${sort?.label ?? '–'})`, `${f(sort?.summary.p95, 1)} ms`, `≤ ${TARGETS.sortP95Ms} ms`, atMost(sort?.summary.p95, TARGETS.sortP95Ms)],
    [`GET /api/users search p95, worst of 3 (${search?.label ?? '–'})`, `${f(search?.summary.p95, 1)} ms`, `≤ ${TARGETS.searchP95Ms} ms`, atMost(search?.summary.p95, TARGETS.searchP95Ms)],
    ['GET /api/users 304 (If-None-Match) p95', `${f(calls?.notModified.summary.p95, 2)} ms`, `≤ ${TARGETS.notModifiedP95Ms} ms`, atMost(calls?.notModified.summary.p95, TARGETS.notModifiedP95Ms)],
    [
      `Create (API) → row in another browser p95 (${creates?.latencyMs.count ?? 0} of ${CREATES})`,
      `${f(creates?.latencyMs.p95, 1)} ms (p50 ${f(creates?.latencyMs.p50, 1)})`,
      `≤ ${TARGETS.createVisibleP95Ms} ms`,
      creates ? creates.missed === 0 && (atMost(creates.latencyMs.p95, TARGETS.createVisibleP95Ms) ?? false) : undefined,
    ],
    ['Dashboards equal to the server after 25 far-off events', dashboards ? `${equalOutside}/${dashboards.opened}` : '–', '20/20', dashboards ? equalOutside === 20 : undefined],
    ['Dashboards equal to the server after all 50 events', dashboards ? `${equal}/${dashboards.opened}` : '–', '20/20', dashboards ? equal === 20 : undefined],
    ['/api/users requests during the 25 far-off events (all dashboards)', f(outsideRequests), '0', dashboards ? outsideRequests === 0 : undefined],
    [`/api/users requests during the mixed events, dashboards none touched (${untouched?.length ?? 0})`, f(untouchedRequests), '0', dashboards ? untouchedRequests === 0 : undefined],
    [
      `API pages counting a create whose event is past their lastEventId (${consistency?.reads ?? 0} reads during ${consistency?.writes ?? 0} creates)`,
      consistency ? `${consistency.ahead} (behind: ${consistency.behind})` : '–',
      '0',
      consistency ? consistency.ahead === 0 && consistency.behind === 0 : undefined,
    ],
  ];
  const lines = [
    `### ${result.database}, ${result.users.toLocaleString('en-US')} users`,
    '',
    `Load average (1 min) ${f(result.loadAverage.start, 1)} at the start, ${f(result.loadAverage.end, 1)} at the end, on ${os.cpus().length} CPUs.`,
    '',
    '| measure | result | target | met |',
    '| --- | ---: | ---: | :---: |',
    ...rows.map(([measure, value, target, ok]) => `| ${measure} | ${value} | ${target} | ${verdict(ok)} |`),
  ];
  if (calls) {
    lines.push('', '| GET /api/users | p50 ms | p95 ms | max ms |', '| --- | ---: | ---: | ---: |');
    for (const s of [...calls.sorts, ...calls.searches, calls.notModified]) lines.push(`| ${s.label} | ${f(s.summary.p50, 1)} | ${f(s.summary.p95, 1)} | ${f(s.summary.max, 1)} |`);
  }
  if (dashboards) {
    lines.push('', '| dashboard | /api/users during far-off events | during mixed events | events touching its rows | equal after all |', '| --- | ---: | ---: | ---: | :---: |');
    dashboards.perDashboard.forEach((d, i) => lines.push(`| ${d.label} | ${d.apiOutside} | ${d.apiMixed} | ${d.touchedMixed} | ${verdict(dashboards.afterMixed[i]?.equal)} |`));
    const unequal = [...dashboards.afterOutside.map((c) => ({ ...c, when: 'after far-off events' })), ...dashboards.afterMixed.map((c) => ({ ...c, when: 'after all events' })), ...dashboards.later.map((c) => ({ ...c, when: '5 s later' }))].filter((c) => !c.equal);
    if (unequal.length) lines.push('', 'Dashboards not equal to the server:', ...unequal.map((c) => `- ${c.when}, ${c.label} (${dashboards.perDashboard.find((d) => d.label === c.label)?.url ?? ''}): ${c.difference}`));
    const other = dashboards.perDashboard.filter((d) => d.other.length);
    if (other.length) lines.push('', 'Other requests by dashboards during the events:', ...other.map((d) => `- ${d.label}: ${d.other.slice(0, 5).join(', ')}${d.other.length > 5 ? ` … (${d.other.length})` : ''}`));
  }
  if (consistency?.examples.length) {
    lines.push('', 'Pages not matching the events they claim (a dashboard replaying the later events on such a page counts them twice in its total):', ...consistency.examples.map((e) => `- ${e}`));
  }
  const problems = [
    ...(page?.problems ?? []),
    ...(calls ? [...calls.sorts, ...calls.searches, calls.notModified].flatMap((s) => s.problems) : []),
    ...(creates?.problems ?? []),
    ...(dashboards?.problems ?? []),
    ...(consistency?.problems ?? []),
  ];
  problems.unshift(...result.errors.map((error) => `stopped: ${error.split('\n')[0]}`));
  if (problems.length) lines.push('', 'Problems:', ...problems.map((p) => `- ${p}`));
  return lines.join('\n');
}

export async function directoryBench(options: DirectoryOptions): Promise<void> {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) throw new Error('No production build: run `npm run build` first.');
  if (!Number.isInteger(options.users) || options.users < MIN_USERS) throw new Error(`--users must be a whole number, ${MIN_USERS} or more.`);
  const unknown = options.databases.filter((kind) => !(KINDS as readonly string[]).includes(kind));
  if (unknown.length) throw new Error(`Unknown database ${unknown.join(', ')}: use ${KINDS.join(', ')}.`);
  const results: Result[] = [];
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();
  try {
    for (const kind of options.databases as Kind[]) {
      const database = await createDatabase(kind, options.postgres);
      if (typeof database === 'string') {
        console.error(`Skipping ${kind}: ${database}. Start PostgreSQL, or set --postgres / BENCH_POSTGRES_URL.`);
        continue;
      }
      try {
        results.push(await measure(database, options, browser));
      } finally {
        await database.drop().catch((error: unknown) => console.error(`Could not drop the ${kind} database: ${(error as Error).message}`));
      }
    }
  } finally {
    await browser.close();
    agent.destroy();
    rmSync(TMP, { recursive: true, force: true });
  }
  console.log(
    [
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, servers on Node ${serverNodeVersion()}; Chromium ${chromiumVersion}`,
      ...(results.length ? results.map(table) : ['No database was measured.']),
    ].join('\n\n'),
  );
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, `bench/results/directory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ options, targets: TARGETS, results }, null, 2));
  console.error(`Wrote ${path.relative(ROOT, file)}`);
}
