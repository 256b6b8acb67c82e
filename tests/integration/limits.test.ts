// The limits an operator sets (EVENT_LOG_SIZE, MAX_SSE_CONNECTIONS, SSE_MAX_QUEUE_BYTES,
// SSE_HEARTBEAT_SECONDS), on a server of its own started with small ones, and /api/metrics, which
// reports what they did; on both ways of serving the stream.
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { authHeaders, createUser, eventually, health } from '../support/api';
import { API_TOKEN } from '../support/secrets';
import { SERVES, type TestServer, startServer } from '../support/server';
import { parsePrometheus, valueOf } from '../support/prometheus';
import { SseClient } from '../support/sse';

// The queue bound must still hold what a reading subscriber has not yet taken when its test
// process is busy: with 4,096 bytes, eight of the large events the slow-consumer test sends
// sometimes got the reading subscriber dropped as well, and with 16,384 so did a loaded CI machine
// under `next start` (whose pipe queues in our stream while it waits for 'drain'). 65,536 bytes is
// about 100 more events for the stalled client to fill, a fraction of a second.
const LIMITS = { EVENT_LOG_SIZE: '3', MAX_SSE_CONNECTIONS: '3', SSE_MAX_QUEUE_BYTES: '65536', SSE_HEARTBEAT_SECONDS: '1' };

describe.each(SERVES)('limits (%s)', (serve) => {
  let server: TestServer;
  const clients: SseClient[] = [];
  const stalledClients: ChildProcess[] = [];

  beforeAll(async () => {
    server = await startServer({ env: LIMITS, serve });
  });

  afterAll(async () => {
    await server?.stop();
  });

  // Every test starts with no stream open: the limit is small, and counts are compared.
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const child of stalledClients.splice(0)) child.kill();
    await eventually(() => health(server.url), (h) => h.subscribers === 0);
  });

  async function subscribe(headers: Record<string, string> = {}) {
    const client = await SseClient.connect(`${server.url}/events`, headers);
    clients.push(client);
    const connected = await client.next();
    expect(connected.event).toBe('connected');
    return client;
  }

  const currentHealth = () => health(server.url);

  describe(`EVENT_LOG_SIZE=${LIMITS.EVENT_LOG_SIZE}`, () => {
    it('replays from memory what it holds, from the database what it no longer holds, and resyncs only an id it never gave', async () => {
      const first = await subscribe();
      for (let i = 1; i <= 7; i++) await createUser(server.url, `Evicted ${i}`);
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) ids.push(Number((await first.next()).id));
      first.close();

      // Memory keeps the newest three (up to six before it trims): after the first, the database replays.
      const fromDatabase = await subscribe({ 'Last-Event-ID': String(ids[0]) });
      const all = [];
      for (let i = 0; i < 6; i++) all.push(await fromDatabase.next());
      expect(all.map((m) => Number(m.id))).toEqual(ids.slice(1));
      fromDatabase.close(); // room for the next two (MAX_SSE_CONNECTIONS is 3)
      await eventually(currentHealth, (h) => h.subscribers === 0);

      const fromMemory = await subscribe({ 'Last-Event-ID': String(ids[4]) });
      const replayed = [await fromMemory.next(), await fromMemory.next()];
      expect(replayed.map((m) => Number(m.id))).toEqual(ids.slice(5));

      const unknown = await subscribe({ 'Last-Event-ID': String(ids[6]! + 1_000) });
      const resync = await unknown.next();
      expect(resync.event).toBe('resync');
      expect(JSON.parse(resync.data)).toEqual({ lastEventId: ids[6] });

      // Both carry on with live events.
      const live = await createUser(server.url, 'After Eviction');
      for (const client of [fromMemory, unknown]) {
        const message = await client.next();
        expect(message.event).toBe('user_created');
        expect(JSON.parse(message.data)).toEqual(live);
      }
    });
  });

  describe(`MAX_SSE_CONNECTIONS=${LIMITS.MAX_SSE_CONNECTIONS}`, () => {
    it('answers 503 with Retry-After and a JSON error past the limit, counts it, and accepts again after a close', async () => {
      const open = [await subscribe(), await subscribe(), await subscribe()];
      const before = await currentHealth();
      expect(before.subscribers).toBe(3);

      const refused = await fetch(`${server.url}/events`, { headers: { Accept: 'text/event-stream', ...authHeaders() } });

      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
      expect(refused.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await refused.json()).toEqual({ error: expect.any(String) });
      const after = await currentHealth();
      expect(after.connectionsRefused).toBe(before.connectionsRefused + 1);
      expect(after.subscribers).toBe(3);

      open[0]?.close();
      await eventually(currentHealth, (h) => h.subscribers === 2);
      const replacement = await subscribe();
      const user = await createUser(server.url, 'Seen By The Replacement');
      expect(JSON.parse((await replacement.next()).data)).toEqual(user);
      expect((await currentHealth()).connectionsRefused).toBe(after.connectionsRefused);
    });
  });

  describe('GET /api/metrics', () => {
    it('answers Prometheus text (prom-client) whose live-update values match /api/health', async () => {
      const createsTimed = async () => {
        const text = await (await fetch(`${server.url}/api/metrics`, { headers: authHeaders() })).text();
        const series = parsePrometheus(text).get('http_request_duration_seconds')?.metrics ?? [];
        return series.find((s) => s.labels.method === 'POST' && s.labels.route === '/api/users' && s.labels.status === '201')?.count ?? 0;
      };
      const createsBefore = await createsTimed();
      // Give the counters values other than zero: as many streams as allowed, and one refused.
      for (let i = 0; i < 3; i++) await subscribe();
      const refused = await fetch(`${server.url}/events`, { headers: authHeaders() });
      await refused.arrayBuffer();
      expect(refused.status).toBe(503);
      await createUser(server.url, 'Counted');
      await (await fetch(`${server.url}/api/users?limit=1`, { headers: authHeaders() })).arrayBuffer();

      const response = await fetch(`${server.url}/api/metrics`, { headers: authHeaders() });
      const stats = await currentHealth();

      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      const metrics = parsePrometheus(await response.text());
      expect(Object.fromEntries([...metrics].filter(([name]) => name.startsWith('roster_')).map(([name, family]) => [name, { type: family.type, value: valueOf(metrics, name) }]))).toEqual({
        roster_hub_degraded: { type: 'GAUGE', value: 0 },
        roster_sse_subscribers: { type: 'GAUGE', value: stats.subscribers },
        roster_last_event_id: { type: 'GAUGE', value: stats.lastEventId },
        roster_events_published_total: { type: 'COUNTER', value: stats.eventsPublished },
        roster_page_reads_total: { type: 'COUNTER', value: stats.pageReads },
        roster_sse_connections_refused_total: { type: 'COUNTER', value: stats.connectionsRefused },
        roster_sse_slow_consumers_dropped_total: { type: 'COUNTER', value: stats.slowConsumersDropped },
        // The stream writer has not died (tests/integration/stream-writer.test.ts kills it).
        roster_stream_writer_exits_total: { type: 'COUNTER', value: 0 },
        // No import has run: the counter has no rows yet.
        roster_import_rows_total: { type: 'COUNTER', value: undefined },
        // Nobody reported from a screen (tests/integration/presence.test.ts does): no samples, no pages, nobody here.
        roster_event_delivery_seconds: { type: 'HISTOGRAM', value: undefined },
        roster_dashboards: { type: 'GAUGE', value: 0 },
        roster_people_here: { type: 'GAUGE', value: 0 },
        // The create above walked the streams: at least one slice.
        roster_fanout_slice_seconds: { type: 'HISTOGRAM', value: undefined },
      });
      expect(metrics.get('roster_fanout_slice_seconds')?.metrics[0]?.count).toBeGreaterThan(0);
      expect(stats.subscribers).toBe(3);
      expect(stats.connectionsRefused).toBeGreaterThan(0);
      // prom-client's process metrics: a Node.js process running Next.js holds tens of megabytes at the least.
      expect(valueOf(metrics, 'process_resident_memory_bytes')).toBeGreaterThan(20 * 1024 * 1024);
      for (const name of ['nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_active_handles_total', 'nodejs_gc_duration_seconds']) {
        expect(metrics.has(name), name).toBe(true);
      }
      // The requests `npm start` answered, by route pattern (not path) and status; `next start` has no server of ours to time them.
      const requests = metrics.get('http_request_duration_seconds');
      expect(requests?.type).toBe('HISTOGRAM');
      const series = (requests?.metrics ?? []).map((sample): Record<string, string | number> => ({ ...sample.labels, count: Number(sample.count) }));
      if (serve === 'next start') {
        expect(series).toEqual([]);
        return;
      }
      // Timed under its pattern and status, once: the one create since the first scrape.
      expect(series).toContainEqual({ method: 'POST', route: '/api/users', status: '201', count: createsBefore + 1 });
      expect(series).toContainEqual(expect.objectContaining({ method: 'GET', route: '/api/users', status: '200' }));
      expect(series.filter((labels) => labels.route === 'other')).toEqual([]);
    });
  });

  describe(`SSE_MAX_QUEUE_BYTES=${LIMITS.SSE_MAX_QUEUE_BYTES}`, () => {
    // Both kernel socket buffers must fill before the server's queue can: on loopback the server's
    // send buffer grows to about 4 MB, so about 6,000 events of 650 bytes. Names of three-byte
    // characters and emails near the 254-character limit make each event as large as the API allows.
    const NAME = '名'.repeat(94);
    const DOMAIN = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.example.com`;
    const WORKERS = 8;
    const FILL_DEADLINE_MS = 55_000;

    /**
     * A client that sends GET /events and then never reads a byte, e.g. a frozen browser tab. Both
     * kernel socket buffers must fill before the server's queue can, and Linux may grow a receive
     * buffer to tcp_rmem's maximum (32 MB on some machines), so the client fixes its own at 4 KB;
     * Node cannot set SO_RCVBUF on a TCP socket, Python can. It reads to the end when told to.
     */
    async function stalledSubscriber() {
      const { hostname, port } = new URL(server.url);
      const request = `GET /events HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${API_TOKEN}\r\n\r\n`;
      const script = [
        'import socket, sys',
        's = socket.socket()',
        's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)',
        's.connect((sys.argv[1], int(sys.argv[2])))',
        's.sendall(sys.argv[3].encode())',
        "print('sent', flush=True)",
        'sys.stdin.readline()',
        'while s.recv(65536): pass',
        "print('closed', flush=True)",
      ].join('\n');
      const child = spawn('python3', ['-c', script, hostname, port, request], { stdio: ['pipe', 'pipe', 'inherit'] });
      stalledClients.push(child);
      let output = '';
      const printed = (word: string) =>
        new Promise<void>((resolve, reject) => {
          const check = () => (output.includes(word) ? resolve() : undefined);
          child.stdout?.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            check();
          });
          child.once('exit', () => (output.includes(word) ? resolve() : reject(new Error(`stalled client exited before "${word}"`))));
          check();
        });
      await printed('sent');
      return {
        /** Reads everything, resolving once the server has closed the connection. */
        readToEnd: () => {
          child.stdin?.write('read\n');
          return printed('closed');
        },
      };
    }

    function bigUser(worker: number, n: number): [name: string, email: string] {
      const local = `slow-${worker}-${n}-${Date.now()}-`.padEnd(254 - DOMAIN.length - 1, 'x');
      return [`${n} ${NAME}`, `${local}@${DOMAIN}`];
    }

    it(
      'drops a subscriber that stops reading, while one that reads gets every event within a second',
      async () => {
        const reader = await subscribe();
        const stalled = await stalledSubscriber();
        await eventually(currentHealth, (h) => h.subscribers === 2);
        const start = await currentHealth();

        // When each POST returned, and when the reading subscriber saw its event, by user id.
        const returnedAt = new Map<number, number>();
        const receivedAt = new Map<number, number>();
        const receivedIds: number[] = [];
        const reading = (async () => {
          // Ends when the test closes the client once every event has arrived (or on a gap of
          // seconds, which the assertions below then report).
          for (;;) {
            const message = await reader.next(10_000).catch(() => undefined);
            if (!message) return;
            const user = JSON.parse(message.data) as UserDTO;
            receivedAt.set(user.id, Date.now());
            receivedIds.push(Number(message.id));
          }
        })();

        let dropped = false;
        const deadline = Date.now() + FILL_DEADLINE_MS;
        const watching = (async () => {
          while (!dropped && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 200));
            dropped = (await currentHealth()).slowConsumersDropped > start.slowConsumersDropped;
          }
        })();
        let created = 0;
        const creators = Array.from({ length: WORKERS }, async (_, worker) => {
          while (!dropped && Date.now() < deadline) {
            const [name, email] = bigUser(worker, created++);
            const user = await createUser(server.url, name, email);
            returnedAt.set(user.id, Date.now());
          }
        });
        await Promise.all([watching, ...creators]);
        // Only the stalled subscriber is gone; the reader is still connected.
        const end = await eventually(currentHealth, (h) => h.subscribers === 1);
        expect(end.slowConsumersDropped).toBe(start.slowConsumersDropped + 1);
        expect(end.subscribers).toBe(1);
        await eventually(async () => receivedAt.size, (count) => count >= returnedAt.size);
        reader.close();
        await reading;

        // The reader got every event once, in order, and none of them late.
        const byId = (a: number, b: number) => a - b;
        expect([...receivedAt.keys()].sort(byId)).toEqual([...returnedAt.keys()].sort(byId));
        expect(receivedIds).toEqual(receivedIds.map((_, i) => start.lastEventId + 1 + i));
        const latencies = [...returnedAt].map(([id, at]) => (receivedAt.get(id) ?? Infinity) - at);
        expect(Math.max(...latencies)).toBeLessThan(1_000);

        // The server closed the stalled connection rather than leaving it open: once the client
        // reads what the kernel buffered, the end follows.
        await Promise.race([
          stalled.readToEnd(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('the stalled connection was left open')), 5_000)),
        ]);
      },
      80_000,
    );
  });

  describe(`SSE_HEARTBEAT_SECONDS=${LIMITS.SSE_HEARTBEAT_SECONDS}`, () => {
    const heartbeats = (client: SseClient) => client.comments.filter((comment) => comment === 'heartbeat').length;

    it('sends a quiet stream a heartbeat comment every second, and none while events keep it busy', async () => {
      const client = await subscribe();
      const quiet = await eventually(async () => heartbeats(client), (count) => count >= 2, 4_000);
      expect(quiet).toBeGreaterThanOrEqual(2);

      // Events every 200 ms: every stream has had bytes since the last tick, so the round is skipped.
      await createUser(server.url, 'Busy 0');
      expect((await client.next()).event).toBe('user_created');
      const before = heartbeats(client);
      for (let i = 1; i <= 12; i++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        await createUser(server.url, `Busy ${i}`);
        expect((await client.next()).event).toBe('user_created');
      }
      expect(heartbeats(client)).toBe(before);

      // Quiet again: heartbeats resume.
      await eventually(async () => heartbeats(client), (count) => count > before, 4_000);
      expect(heartbeats(client)).toBeGreaterThan(before);
    });
  });
});
