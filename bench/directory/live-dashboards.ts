// Part 4: twenty live dashboards on different views while 50 users change, each compared with
// a fresh GET /api/users of its view once the changes settle.
import { type Browser, type Page } from '@playwright/test';
import type { PageDTO, UserDTO } from '../../lib/shared/dto';
import { request, sleep } from '../servers';
import { searchTerms } from './api';
import { type Snapshot, signedInContext, snapshot, waitConnected } from './browser';
import { MIN_USERS, RUN, f, now } from './config';
import { type ViewQuery, apiPage, parsePage, withParams } from './http';

export type ViewSpec = { label: string; view: ViewQuery; page: 1 | 2 | 3; back?: boolean };

export function viewSpecs(users: number): ViewSpec[] {
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
export async function dashboardUrl(port: number, spec: ViewSpec): Promise<string> {
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
export type Phase = 'setup' | 'outside' | 'mixed';

export type Dashboard = {
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

export type Comparison = { label: string; equal: boolean; difference?: string };

export type Call = { phase: Phase; url: string; sentMs: number; ifNoneMatch?: string; doneMs?: number; status?: number; failure?: string; lastEventId?: number; ids?: number[] };

/** An event of part 4: what, when it was sent and answered (ms since the events began), and which dashboards showed the user. */
export type SentEvent = { phase: Phase; what: string; id?: number; status: number; sentMs: number; doneMs: number; touched: string[] };

export type Dashboards = {
  opened: number;
  connected: number;
  afterOutside: Comparison[];
  afterMixed: Comparison[];
  /** Dashboards that did not match after the mixed events, checked again 5 s later. */
  later: Comparison[];
  perDashboard: { label: string; url: string; apiOutside: number; apiMixed: number; touchedMixed: number; other: string[]; calls: Call[] }[];
  events: SentEvent[];
  problems: string[];
};

/** The total a dashboard shows ("1,204 users", "10,000+ users match …"), and whether it says it is exact. */
export const shown = (count: string) => {
  const [, digits, more] = /^([\d,]+)(\+?) users?/.exec(count) ?? [];
  return { total: Number(digits?.replace(/,/g, '') ?? Number.NaN), totalIsExact: more === '' };
};

export function describeIds(ids: number[]): string {
  return ids.length <= 12 ? `[${ids.join(', ')}]` : `[${ids.slice(0, 6).join(', ')}, …, ${ids.slice(-4).join(', ')}] (${ids.length})`;
}

/** The dashboard against a fresh GET /api/users of its view: rows (ids, names, emails, in order) and total. */
export async function compare(port: number, dashboard: Dashboard): Promise<Comparison> {
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
  const count = shown(snap.count);
  if (count.total !== server.total || count.totalIsExact !== server.totalIsExact) {
    differences.push(`total: server ${server.total}${server.totalIsExact ? '' : '+'}, dashboard “${snap.count}”`);
  }
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
export async function settle(dashboards: Dashboard[], since: number, quietMs = 1_500, maxMs = 20_000): Promise<void> {
  const deadline = now() + maxMs;
  while (now() < deadline) {
    const last = Math.max(since, ...dashboards.map((d) => d.lastActivity));
    if (dashboards.every((d) => d.inflight === 0) && now() - last >= quietMs) return;
    await sleep(100);
  }
}

export async function getUser(port: number, id: number): Promise<UserDTO | null> {
  const { status, text } = await request(port, 'GET', `/api/users/${id}`);
  return status === 200 ? (JSON.parse(text) as UserDTO) : null;
}

/** The one user a search finds (the seed's email `user<n>.<run>@…`), or null. */
export async function seededUser(port: number, n: number): Promise<UserDTO | null> {
  const page = await apiPage(port, { q: `user${n}.`, sort: 'createdAt', order: 'desc' });
  return page.users.length === 1 ? (page.users[0] ?? null) : null;
}

/** Where each seeded user's email (`user<n>.<run>@…`) falls among all of them, as the database sorts text. */
export function emailRanks(users: number): Int32Array {
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
export function middleNumbers(users: number, ranks: Int32Array, accept: (n: number) => boolean, count: number, skip: Set<number>): number[] {
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

export const first = (n: number) => n % 24; // 0 Ada, 1 Grace, 23 Łucja
export const last = (n: number) => Math.floor(n / 24) % 24; // 1 Hopper
/** The last names late in the alphabet: Turing, Torvalds, Thompson, Wilson, Wirth, Wójcik. */
export const LATE_LAST = [2, 10, 12, 13, 16, 23];

export async function dashboardsUnderEvents(port: number, browser: Browser, base: string, token: string, users: number): Promise<Dashboards> {
  const problems: string[] = [];
  const events: SentEvent[] = [];
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
