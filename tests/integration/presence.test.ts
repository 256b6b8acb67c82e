// Who is here, and how live it is, through a real `npm start`: tabs report (POST /api/presence),
// every stream hears who joined and left as one `presence` frame, API tokens are nobody, reports
// are validated and rate-limited with nothing recorded when refused, and the delivery histogram
// and dashboards by transport are in /api/metrics. Then across two instances on PostgreSQL and
// Redis: a join on A reaches B's streams within 2 s, a tab that goes silent is gone within 30 s.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPresence, type PresenceAnswer, type PresenceDTO, type PresenceFrame, versionOf } from '@/lib/shared/presence';
import type { StatusDTO } from '@/lib/shared/status';
import { type Auth, authHeaders, createUser } from '../support/api';
import { makePerson, type Person } from '../support/accounts';
import { twoInstances } from '../support/instances';
import { parsePrometheus } from '../support/prometheus';
import { startServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { forgetStoredSession, signIn, submitSignOut } from '../support/session';
import { SseClient } from '../support/sse';

type Report = { tab?: string; transport?: string; editing?: number | null; leaving?: boolean; seen?: string; deliveries?: { eventId: number; atMs: number }[] };

/** A tab's report from a browser of this site (its Origin), with its session cookie. */
function report(baseUrl: string, auth: Auth, body: Report | string): Promise<Response> {
  return fetch(`${baseUrl}/api/presence`, {
    method: 'POST',
    headers: { ...authHeaders(auth), Origin: baseUrl, 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

const aTab = (editing: number | null = null): Report => ({ tab: randomUUID(), transport: 'sse', editing });

/** Who each stream has been told is here, frame by frame; a new server starts with nobody. */
const told = new Map<SseClient, PresenceDTO>();

/**
 * Who is here after the next `presence` frame (skipping events), as a page applies it: each frame
 * says what changed since the last one, and must chain on it.
 */
async function nextPresence(client: SseClient, timeoutMs = 5_000): Promise<PresenceDTO> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const message = await client.next(Math.max(1, until - Date.now()));
    if (message.event !== 'presence') continue;
    const frame = JSON.parse(message.data) as PresenceFrame;
    // Small: who changed, not everyone.
    expect(frame.set.length + frame.gone.length).toBe(1);
    const before = told.get(client) ?? { people: [], version: versionOf('[]') };
    const after = applyPresence(before, frame);
    expect(after, 'a frame that does not follow the one before').not.toBeNull();
    told.set(client, after!);
    return after!;
  }
}

const names = (presence: { people?: PresenceDTO['people'] }) => (presence.people ?? []).map((person) => person.name);

async function scrape(baseUrl: string) {
  const response = await fetch(`${baseUrl}/api/metrics`, { headers: authHeaders() });
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

/** The delivery histogram's series for a transport: count, and its buckets. */
async function deliveries(baseUrl: string, transport: 'sse' | 'polling') {
  const series = (await scrape(baseUrl)).get('roster_event_delivery_seconds')?.metrics.find((sample) => sample.labels.transport === transport);
  return { count: series?.count ?? 0, buckets: series?.buckets ?? {} };
}

describe('presence and delivery reports (npm start, SQLite)', () => {
  let server: TestServer;
  let admin: string;
  let ada: Person;
  let adaCookie: string;
  const clients: SseClient[] = [];
  const watch = async () => {
    const client = await SseClient.connect(`${server.url}/events`);
    clients.push(client);
    await client.next(); // connected
    return client;
  };

  beforeAll(async () => {
    server = await startServer();
    admin = await signIn(server.url);
    ada = await makePerson(server.url, server.databaseFile, 'Ada Lovelace', 'editor');
    adaCookie = await signIn(server.url, { email: ada.email, password: ada.password });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await server?.stop();
  });

  it('shows each person once however many tabs, tells every stream of a join and a leave in one frame each, and names whom they edit', async () => {
    const stream = await watch();
    const adaTab = aTab();
    const first = await report(server.url, { cookie: adaCookie }, adaTab);
    expect(first.status).toBe(200);
    const answer = (await first.json()) as PresenceAnswer;
    expect(names(answer)).toEqual(['Ada Lovelace']);
    // The server's clock, for the tab's offset.
    expect(Math.abs(answer.serverTime - Date.now())).toBeLessThan(1_000);
    expect(names(await nextPresence(stream))).toEqual(['Ada Lovelace']);

    // A second tab of hers changes nothing anyone sees: no frame.
    await report(server.url, { cookie: adaCookie }, aTab());
    const adminTab = aTab(ada.user.id);
    const { version, people } = (await (await report(server.url, { cookie: admin }, adminTab)).json()) as PresenceAnswer;
    expect(people).toEqual([
      { id: expect.any(Number), name: 'Ada Lovelace', editing: [] },
      { id: expect.any(Number), name: 'Admin', editing: [ada.user.id] },
    ]);
    // The frame names the same list by the same version.
    expect(await nextPresence(stream)).toEqual({ people, version });
    // A tab that shows that version is answered without the list; one that shows another, with it.
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // one report a second per tab
    expect(await (await report(server.url, { cookie: admin }, { ...adminTab, seen: version })).json()).toEqual({ serverTime: expect.any(Number), version });
    expect(await (await report(server.url, { cookie: adaCookie }, { ...adaTab, seen: '0' })).json()).toMatchObject({ version, people });

    // Events do not bring presence frames along.
    const user = await createUser(server.url, 'No Frame For Me');
    const message = await stream.next();
    expect([message.event, JSON.parse(message.data)]).toEqual(['user_created', user]);

    // The admin closes their tab: everyone hears at once.
    expect((await report(server.url, { cookie: admin }, { ...adminTab, leaving: true })).status).toBe(200);
    expect(names(await nextPresence(stream))).toEqual(['Ada Lovelace']);
  });

  it('refuses API tokens (they are not people), other sites and other bodies', async () => {
    const token = await report(server.url, 'token', aTab());
    expect(token.status).toBe(403);
    expect(await token.json()).toEqual({ error: 'Presence and delivery reports come from signed-in browsers, not API tokens' });
    const elsewhere = await fetch(`${server.url}/api/presence`, {
      method: 'POST',
      headers: { Cookie: admin, Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify(aTab()),
    });
    expect(elsewhere.status).toBe(403);
    const text = await fetch(`${server.url}/api/presence`, { method: 'POST', headers: { Cookie: admin, Origin: server.url, 'Content-Type': 'text/plain' }, body: JSON.stringify(aTab()) });
    expect(text.status).toBe(415);
    expect((await report(server.url, 'none', aTab())).status).toBe(401);
  });

  it('lets in a report of a session with a stream open here as that stream was, without a session read, for no longer than the stream', async () => {
    // A session ended where this instance did not hear it (its row deleted; no relay): requests
    // are refused within a second, its stream stays open until the sweep (15 s) finds it ended.
    const unheard = await signIn(server.url, { email: ada.email, password: ada.password });
    const unheardStream = await SseClient.connect(`${server.url}/events`, {}, { cookie: unheard });
    clients.push(unheardStream);
    const tab = aTab();
    expect((await report(server.url, { cookie: unheard }, tab)).status).toBe(200);
    forgetStoredSession(server.databaseFile, unheard);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await fetch(`${server.url}/api/users?limit=1`, { headers: { Cookie: unheard } })).status).toBe(401);
    // Its report is let in as its stream still is: no session read (which would refuse it).
    expect((await report(server.url, { cookie: unheard }, tab)).status).toBe(200);
    // Once the sweep closes the stream, the report is looked up, and refused.
    for (let message = await unheardStream.next(20_000); message.event !== 'expired'; message = await unheardStream.next(20_000));
    expect((await report(server.url, { cookie: unheard }, tab)).status).toBe(401);

    // Signed out (heard by every instance): its stream closes, and its next report is refused at once.
    const heard = await signIn(server.url, { email: ada.email, password: ada.password });
    const heardStream = await SseClient.connect(`${server.url}/events`, {}, { cookie: heard });
    clients.push(heardStream);
    const heardTab = aTab();
    expect((await report(server.url, { cookie: heard }, heardTab)).status).toBe(200);
    expect((await submitSignOut(server.url, heard)).status).toBe(303);
    expect((await report(server.url, { cookie: heard }, heardTab)).status).toBe(401);
  }, 40_000); // the sweep comes every 15 s

  it('records delivery measured on the server clock, and refuses hostile reports whole, recording nothing', async () => {
    const user = await createUser(server.url, 'Measured Mo');
    const eventId = Number((await (await fetch(`${server.url}/api/health`)).json()).lastEventId);
    const before = await deliveries(server.url, 'sse');

    const hostile: [string, Report | string][] = [
      ['not JSON', '{"tab":'],
      ['a tab that is not a UUID', { ...aTab(), tab: 'tab-1' }],
      ['a transport we do not have', { ...aTab(), transport: 'carrier-pigeon' }],
      ['a negative time', { ...aTab(), deliveries: [{ eventId, atMs: -5 }] }],
      ['a time that is no whole number', { ...aTab(), deliveries: [{ eventId, atMs: Date.now() + 0.5 }] }],
      ['a time longer ago than a report covers', { ...aTab(), deliveries: [{ eventId, atMs: Date.now() - 10 * 60_000 }] }],
      ['a time after the report arrived', { ...aTab(), deliveries: [{ eventId, atMs: Date.now() + 60_000 }] }],
      ['an event that does not exist yet', { ...aTab(), deliveries: [{ eventId: eventId + 1_000, atMs: Date.now() }] }],
      // Applied 4 minutes ago: before the event was committed, which is impossible.
      ['a time before the commit', { ...aTab(), deliveries: [{ eventId, atMs: Date.now() }, { eventId, atMs: Date.now() - 4 * 60_000 }] }],
      ['too many samples', { ...aTab(), deliveries: Array.from({ length: 51 }, () => ({ eventId, atMs: Date.now() })) }],
      ['fields it does not know', { ...aTab(), secret: 1 } as Report],
      ['an editing id that is no id', { ...aTab(), editing: -3 }],
    ];
    for (const [what, body] of hostile) {
      const response = await report(server.url, { cookie: adaCookie }, body);
      expect(response.status, what).toBe(400);
      expect(await response.json(), what).toMatchObject({ error: expect.any(String) });
    }
    expect(await deliveries(server.url, 'sse')).toEqual(before);

    // A real one: applied just now, and 5 ms before, on the server's clock (this machine's).
    expect(user.id).toBeGreaterThan(0);
    const tab = aTab();
    const sent = Date.now();
    const accepted = await report(server.url, { cookie: adaCookie }, { ...tab, deliveries: [{ eventId, atMs: Date.now() }, { eventId, atMs: Date.now() - 5 }] });
    expect(accepted.status).toBe(200);
    const after = await deliveries(server.url, 'sse');
    expect(after.count).toBe(before.count + 2);
    // Both samples are at most the time since the event was created, however the browser's clock stands.
    const sinceCreate = (Date.now() - sent + 5_000) / 1_000;
    const within = Object.entries(after.buckets).find(([le]) => Number(le) >= sinceCreate)?.[1];
    expect(within).toBe(after.count);

    // Rate limits, per tab: another report within a second; samples again within ten.
    const tooSoon = await report(server.url, { cookie: adaCookie }, tab);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.headers.get('retry-after')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const samplesTooSoon = await report(server.url, { cookie: adaCookie }, { ...tab, deliveries: [{ eventId, atMs: Date.now() }] });
    expect(samplesTooSoon.status).toBe(429);
    expect(await deliveries(server.url, 'sse')).toEqual(after);
    // A report without samples is still welcome (the tab is here): the refused ones did not count.
    expect((await report(server.url, { cookie: adaCookie }, tab)).status).toBe(200);
  });

  it('serves every metric the Grafana dashboard in the docs queries', async () => {
    const dashboard = JSON.parse(await readFile(new URL('../../docs/deploy/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr));
    const queried = new Set(exprs.flatMap((expr) => expr.match(/\b(?:roster|http|nodejs|process)_[a-z0-9_]+/g) ?? []));
    expect(queried.size).toBeGreaterThan(10);
    const families = await scrape(server.url);
    const served = (name: string) => families.has(name) || families.get(name.replace(/_(bucket|count|sum)$/, ''))?.type === 'HISTOGRAM';
    expect([...queried].filter((name) => !served(name))).toEqual([]);
  });

  it('counts open pages by transport, each page once, in /api/metrics and /api/status (admins only)', async () => {
    await report(server.url, { cookie: adaCookie }, { ...aTab(), transport: 'polling' });
    const metrics = await scrape(server.url);
    const dashboards = metrics.get('roster_dashboards')?.metrics ?? [];
    const polling = dashboards.find((sample) => sample.labels.transport === 'polling')?.value ?? 0;
    expect(polling).toBeGreaterThanOrEqual(1);
    // Ada, in several tabs; the admin closed theirs.
    expect(metrics.get('roster_people_here')?.metrics[0]?.value).toBe(1);

    const status = await fetch(`${server.url}/api/status`, { headers: { Cookie: admin } });
    expect(status.status).toBe(200);
    const body = (await status.json()) as StatusDTO;
    expect(body.instances).toHaveLength(1);
    expect(body.instances[0]).toMatchObject({ dashboards: { polling }, redis: 'none', delivery: { samples: expect.any(Number) } });
    expect(body.instances[0]!.delivery.samples).toBeGreaterThanOrEqual(2);
    expect((await fetch(`${server.url}/api/status`, { headers: { Cookie: adaCookie } })).status).toBe(403);
  });
});

const up = await servicesUp('postgres', 'redis');

describe.skipIf(!up)('presence across two instances (PostgreSQL + Redis)', () => {
  const two = twoInstances('presence');
  let cookie: string;
  let onB: SseClient;

  beforeAll(async () => {
    cookie = await signIn(two.a.url);
    onB = await SseClient.connect(`${two.b.url}/events`);
    await onB.next();
  });
  afterAll(() => onB?.close());

  it('a tab on A appears on B within 2 s, and leaves at once when it closes', async () => {
    const tab = aTab();
    const joined = Date.now();
    expect((await report(two.a.url, { cookie }, tab)).status).toBe(200);
    expect(names(await nextPresence(onB, 2_000))).toEqual(['Admin']);
    expect(Date.now() - joined).toBeLessThan(2_000);
    expect((await report(two.a.url, { cookie }, { ...tab, leaving: true })).status).toBe(200);
    expect(names(await nextPresence(onB, 2_000))).toEqual([]);
  });

  it('a tab that goes silent (a lost network) is gone everywhere within 30 s; B’s status lists both instances', async () => {
    expect((await report(two.a.url, { cookie }, aTab())).status).toBe(200);
    expect(names(await nextPresence(onB, 2_000))).toEqual(['Admin']);
    const silent = Date.now();
    expect(names(await nextPresence(onB, 30_000))).toEqual([]);
    expect(Date.now() - silent).toBeLessThan(30_000);

    const status = (await (await fetch(`${two.b.url}/api/status`, { headers: authHeaders() })).json()) as StatusDTO;
    expect(status.instances.map((instance) => instance.redis)).toEqual(['up', 'up']);
  }, 40_000);
});
