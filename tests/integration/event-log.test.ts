// The database is the event log and the audit trail:
// - every change is on record with who made it, readable as activity (also for a deleted user);
// - a write acknowledged is never missing from a live dashboard, whatever process dies: an
//   instance killed between its commit and its ring loses nothing;
// - restarts and Redis restarts cost no refetch: clients replay from the log;
// - on PostgreSQL, concurrent writes on two instances reach every client in one order, no gap;
// - the log keeps EVENT_RETENTION_DAYS and prunes in batches.
import { spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ActivityPageDTO, PageDTO, UserDTO } from '@/lib/shared/dto';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import { authHeaders, createUser, deleteUser, eventually, health, listPage, patchUser, postUser, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { dropPrefix, privateRedis, uniquePrefix } from '../support/redis';
import { exited, freePort, logEntries, readLog, startServer, type TestServer, tempDir } from '../support/server';
import { REDIS_URL, servicesUp } from '../support/services';
import { signIn } from '../support/session';
import { SseClient, type SseMessage } from '../support/sse';

const clients: SseClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function activity(baseUrl: string, path = '/api/activity', options = {}): Promise<ActivityPageDTO> {
  const response = await fetch(`${baseUrl}${path}`, { headers: authHeaders(), ...options });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as ActivityPageDTO;
}

async function subscribe(baseUrl: string, lastEventId?: number | string): Promise<SseClient> {
  const client = await SseClient.connect(`${baseUrl}/events`, lastEventId === undefined ? {} : { 'Last-Event-ID': String(lastEventId) });
  clients.push(client);
  expect((await client.next()).event).toBe('connected');
  return client;
}

/** Messages until `count` user events have arrived (anything else, e.g. resync, is kept too). */
async function collect(client: SseClient, count: number, timeoutMs = 5_000): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messages.filter((message) => message.event.startsWith('user_')).length < count) {
    messages.push(await client.next(Math.max(1, deadline - Date.now())));
  }
  return messages;
}

const userIdOf = (message: SseMessage) => (JSON.parse(message.data) as UserDTO).id;

describe('the audit trail', () => {
  const baseUrl = inject('baseUrl');

  it('records a create, an edit and a delete with who made them and what changed, newest first, kept after the delete', async () => {
    const cookie = await signIn(baseUrl);
    const email = uniqueEmail('audited');
    const user = await createUser(baseUrl, 'Alice Audit', email); // the API token
    expect((await patchUser(baseUrl, user.id, { name: 'Alice Audited' }, 1, { auth: { cookie } })).status).toBe(200);
    expect((await deleteUser(baseUrl, user.id)).status).toBe(204);

    const history = await activity(baseUrl, `/api/users/${user.id}/activity`);

    const userEntries = history.entries.flatMap((entry) => (entry.kind === 'imported' ? [] : [entry]));
    expect(userEntries.map(({ kind, principal, changes, user: { name, email: address } }) => ({ kind, principal, changes, name, address }))).toEqual([
      { kind: 'deleted', principal: 'token:API_TOKEN', changes: [], name: 'Alice Audited', address: email },
      {
        kind: 'edited',
        principal: expect.stringMatching(/^user:\d+$/),
        changes: [{ field: 'name', from: 'Alice Audit', to: 'Alice Audited' }],
        name: 'Alice Audited',
        address: email,
      },
      { kind: 'created', principal: 'token:API_TOKEN', changes: [], name: 'Alice Audit', address: email },
    ]);
    const [deleted, edited, created] = history.entries;
    expect(deleted!.id).toBeGreaterThan(edited!.id);
    expect(edited!.id).toBeGreaterThan(created!.id);
    expect(Date.parse(created!.at)).toBeLessThanOrEqual(Date.parse(deleted!.at));
    // The whole activity has it too, filtered by user the same way.
    expect((await activity(baseUrl, `/api/activity?user=${user.id}`)).entries).toEqual(history.entries);
  });

  it('pages the activity newest first with cursors, never repeating or skipping an entry', async () => {
    const users = [];
    for (let i = 0; i < 5; i++) users.push(await createUser(baseUrl, `Paged ${i}`));
    const ids: number[] = [];
    let page = await activity(baseUrl, '/api/activity?limit=2');
    const newest = page.entries[0]?.id ?? 0;
    for (let pages = 0; pages < 3; pages++) {
      ids.push(...page.entries.map((entry) => entry.id));
      if (!page.nextCursor) break;
      page = await activity(baseUrl, `/api/activity?limit=2&cursor=${page.nextCursor}`);
    }
    expect(ids).toHaveLength(6);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(new Set(ids).size).toBe(6);
    expect(newest).toBeGreaterThanOrEqual(users.length);
  });

  it('records nothing for a write that fails, and answers bad queries with 400/404 JSON, anonymous ones with 401', async () => {
    const user = await createUser(baseUrl, 'Once Only');
    const before = (await activity(baseUrl, `/api/users/${user.id}/activity`)).entries.length;
    expect((await postUser(baseUrl, { name: 'Twice', email: user.email })).status).toBe(409);
    expect((await patchUser(baseUrl, user.id, { name: 'Stale' }, 7)).status).toBe(412);
    expect((await activity(baseUrl, `/api/users/${user.id}/activity`)).entries).toHaveLength(before);

    const bad = await fetch(`${baseUrl}/api/activity?user=abc&limit=9999`, { headers: authHeaders() });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'Invalid input', fieldErrors: { user: ['User id must be a positive whole number'], limit: ['limit must be 1 to 200'] } });
    expect((await fetch(`${baseUrl}/api/users/abc/activity`, { headers: authHeaders() })).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/activity`)).status).toBe(401);
  });
});

describe('a single instance that restarts', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('gives 100 reconnecting clients exactly what they missed, with no resync and no page read', async () => {
    await createUser(server.url, 'Before The Restart');
    const streams = await Promise.all(Array.from({ length: 100 }, () => subscribe(server.url)));
    const seen = await createUser(server.url, 'Seen Before The Restart');
    const lastIds = await Promise.all(streams.map(async (client) => (await collect(client, 1))[0]?.id ?? ''));
    expect(new Set(lastIds).size).toBe(1);

    await server.restart();
    for (const client of streams) client.close();
    const missed = [await createUser(server.url, 'Missed 1'), await createUser(server.url, 'Missed 2')];
    const reconnected = await Promise.all(lastIds.map((id) => subscribe(server.url, id)));
    const received = await Promise.all(reconnected.map((client) => collect(client, 2)));

    for (const messages of received) {
      expect(messages.map((message) => message.event)).toEqual(['user_created', 'user_created']);
      expect(messages.map(userIdOf)).toEqual(missed.map((user) => user.id));
    }
    const stats = await health(server.url);
    expect(stats).toMatchObject({ subscribers: 100, pageReads: 0 });
    expect(seen.id).toBeLessThan(missed[0]!.id);
  }, 60_000);

  it('is refused by `npm start` with the test fault hook set', async () => {
    const scratch = await tempDir('fault-refused');
    try {
      const child = spawn('npm', ['start'], {
        env: { ...process.env, ROSTER_TEST_FAULT: 'crash-after-commit', DATABASE_URL: `file:${scratch.dir}/roster.db`, PORT: String(await freePort()), ADMIN_EMAIL: 'a@b.test', ADMIN_PASSWORD: 'long enough', SESSION_SECRET: 'a-secret-that-is-long-enough-0123456789' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await exited(child);
      expect(child.exitCode, output).toBe(1);
      expect(output).toContain('Roster refuses to start: ROSTER_TEST_FAULT is for tests only');
    } finally {
      await scratch.remove();
    }
  }, 60_000);
});

const up = await servicesUp('postgres', 'redis');

describe.skipIf(!up)('instances on PostgreSQL and Redis', () => {
  let database: TestDatabase;
  let prefix: string;
  const servers: { stop: () => Promise<void> }[] = [];
  const instance = async (env: Record<string, string> = {}) => {
    const server = await startServer({ databaseUrl: database.url, env: { REDIS_URL, REDIS_KEY_PREFIX: prefix, ...env } });
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    database = await freshDatabase('event_log');
    prefix = uniquePrefix();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all(servers.map((server) => server.stop()));
    await database?.drop();
    await dropPrefix(prefix);
  });

  it('loses nothing when an instance is killed between its commit and its ring: the other delivers it within 2 s, a restart replays it', async () => {
    // b first: it makes the first admin (a write), which would set off a's fault hook at start-up.
    const b = await instance();
    const a = await instance({ ROSTER_TEST_FAULT: 'crash-after-commit' });
    const onB = await subscribe(b.url);
    const known = await createUser(b.url, 'Known To Everyone');
    const [seen] = await collect(onB, 1);
    const onA = await subscribe(a.url, seen?.id);

    const email = uniqueEmail('crash');
    const sentAt = Date.now();
    const answer = await postUser(a.url, { name: 'Committed Then Killed', email }).then(
      (response) => response.status,
      () => 'no answer',
    );
    expect(answer).toBe('no answer'); // A died before it could acknowledge
    await exited(a.child);

    const [delivered] = await collect(onB, 1, 2_000);
    expect(Date.now() - sentAt).toBeLessThan(2_000 + 500);
    expect(delivered?.event).toBe('user_created');
    expect((JSON.parse(delivered!.data) as UserDTO).email).toBe(email);
    await expect(onA.next(500)).rejects.toThrow(); // A's own stream died with it

    // A comes back: its client reconnects with the id it last saw and gets the event by replay.
    await a.restart({ env: { REDIS_URL, REDIS_KEY_PREFIX: prefix } });
    const reconnected = await subscribe(a.url, seen?.id);
    const replayed = await collect(reconnected, 1);
    expect(replayed.map((message) => message.event)).toEqual(['user_created']);
    expect(replayed[0]?.id).toBe(delivered?.id);
    expect(known.id).toBeLessThan(userIdOf(replayed[0]!));
  }, 60_000);

  it('delivers 200 concurrent writes from two instances to every client in one order, with no gap and no duplicate', async () => {
    const [a, b] = [await instance(), await instance()];
    const watchers = [await subscribe(a.url), await subscribe(a.url), await subscribe(b.url), await subscribe(b.url)];
    const created: UserDTO[] = [];
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        for (let i = 0; i < 10; i++) created.push(await createUser(worker % 2 ? b.url : a.url, `Concurrent ${worker}-${i}`));
      }),
    );

    const sequences = await Promise.all(watchers.map(async (client) => (await collect(client, 200, 20_000)).filter((m) => m.event === 'user_created')));
    const logged = await withClient(database.url, async (client) =>
      (await client.query<{ id: number; userId: number }>('SELECT id, "userId" FROM "Event" WHERE "userId" = ANY($1) ORDER BY id', [created.map((u) => u.id)])).rows,
    );
    expect(logged).toHaveLength(200);
    for (const sequence of sequences) {
      expect(sequence.map((message) => Number(message.id))).toEqual(logged.map((row) => row.id));
      expect(sequence.map(userIdOf)).toEqual(logged.map((row) => row.userId));
    }
    expect(new Set(logged.map((row) => row.userId))).toEqual(new Set(created.map((user) => user.id)));
  }, 60_000);

  it('reads every page as of one event while another instance writes: nothing past its id, nothing up to it missing', async () => {
    const [a, b] = [await instance(), await instance()];
    const created: UserDTO[] = [];
    const pages: PageDTO[] = [];
    let writing = true;
    const reading = (async () => {
      while (writing) pages.push(await listPage(a.url, { limit: 200 }));
    })();
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < 15; i++) created.push(await createUser(b.url, `Burst ${i}`));
      }),
    );
    writing = false;
    await reading;

    const eventOf = new Map(
      (await withClient(database.url, async (client) =>
        (await client.query<{ id: number; userId: number }>('SELECT id, "userId" FROM "Event" WHERE "userId" = ANY($1) AND type = $2', [created.map((u) => u.id), 'user_created'])).rows,
      )).map((row) => [row.userId, row.id]),
    );
    expect(pages.length).toBeGreaterThan(3);
    for (const page of pages) {
      const shown = new Set(page.users.map((user) => user.id));
      for (const user of created) expect(shown.has(user.id), `user ${user.id} (event ${eventOf.get(user.id)}) on a page as of ${page.lastEventId}`).toBe(eventOf.get(user.id)! <= page.lastEventId);
    }
  }, 60_000);

  it('replays from the database after Redis is flushed and restarted: no resync, nothing lost', async () => {
    const redis = await privateRedis();
    try {
      const [a, b] = [await instance({ REDIS_URL: redis.url }), await instance({ REDIS_URL: redis.url })];
      const onB = await subscribe(b.url);
      await createUser(a.url, 'Before The Flush');
      const [last] = await collect(onB, 1);

      await redis.stop();
      const during = await createUser(a.url, 'While Redis Is Down'); // B finds it by polling
      const [polled] = await collect(onB, 1, 3_000);
      expect(userIdOf(polled!)).toBe(during.id);
      await redis.start(); // empty
      await eventually(() => health(b.url), (h) => h.status === 'ok', 10_000);

      const after = await createUser(a.url, 'After The Flush');
      const reconnected = await subscribe(b.url, last?.id);
      const replayed = await collect(reconnected, 2);
      expect(replayed.map((message) => message.event)).toEqual(['user_created', 'user_created']);
      expect(replayed.map(userIdOf)).toEqual([during.id, after.id]);
    } finally {
      await redis.stop();
    }
  }, 60_000);
});

describe.skipIf(!up)('retention', () => {
  it(`prunes events older than EVENT_RETENTION_DAYS at start-up, a batch at a time, and keeps the rest`, async () => {
    const database = await freshDatabase('retention');
    try {
      await applyMigrations(databaseTarget(database.url));
      await withClient(database.url, async (client) => {
        const old = "now() - interval '100 days'";
        await client.query(
          `INSERT INTO "Event" ("type", "userId", "data", "principal", "requestId", "createdAt")
           SELECT 'user_deleted', n, '{"id":1}', 'token:old', 'r', ${old} FROM generate_series(1, 2500) AS n`,
        );
        await client.query(`INSERT INTO "Event" ("type", "userId", "data", "principal", "requestId", "createdAt") VALUES ('user_deleted', 1, '{"id":1}', 'token:new', 'r', now() - interval '89 days')`);
      });
      const server = await startServer({ databaseUrl: database.url, env: { EVENT_RETENTION_DAYS: '90' } });
      try {
        const rows = await eventually(
          // The first admin's creation, at start-up, is recorded as Roster's own (system): not part of this.
          () => withClient(database.url, async (client) => (await client.query<{ principal: string }>(`SELECT principal FROM "Event" WHERE principal <> 'system'`)).rows),
          (found) => found.length === 1,
        );
        expect(rows).toEqual([{ principal: 'token:new' }]);
        const pruned = logEntries(await readLog(server.logFile)).filter((entry) => entry.msg === 'events pruned');
        expect(pruned).toEqual([expect.objectContaining({ count: 2500 })]);
      } finally {
        await server.stop();
      }
    } finally {
      await database.drop();
    }
  }, 60_000);
});
