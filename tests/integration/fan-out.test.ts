// The fan-out in slices, through a real `npm start` holding 2,000 streams, so that a walk over
// them spans many turns of the event loop: events from several writers, committed while walks are
// under way, reach every stream complete, each once, in id order; and a writer's own stream (their
// session's) has their change by the time their answer arrives, before the walk reaches the rest.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, health, uniqueEmail } from '../support/api';
import { API_TOKEN } from '../support/secrets';
import { startServer, type TestServer } from '../support/server';
import { signIn } from '../support/session';

const STREAMS = 2_000;

/**
 * A bare subscriber: the ids of the events it received, in order, and when each arrived (raw
 * sockets: 2,000 fetches would cost the test more than the server).
 */
type Bare = { socket: net.Socket; ids: number[]; arrived: Map<number, number> };

function openBare(url: URL, auth = `Authorization: Bearer ${API_TOKEN}`): Promise<Bare> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: Number(url.port), host: url.hostname });
    const bare: Bare = { socket, ids: [], arrived: new Map() };
    let text = '';
    let connected = false;
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`GET /events HTTP/1.1\r\nHost: ${url.host}\r\nAccept: text/event-stream\r\n${auth}\r\n\r\n`));
    socket.on('data', (chunk: string) => {
      const at = performance.now();
      text += chunk;
      if (!connected && text.includes('event: connected')) {
        connected = true;
        resolve(bare);
      }
      // `id: N` lines, as the frames arrive (a chunk may end mid-line: keep the tail).
      const lines = text.split('\n');
      text = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('id: ')) continue;
        bare.ids.push(Number(line.slice(4)));
        bare.arrived.set(Number(line.slice(4)), at);
      }
    });
    socket.on('error', reject);
  });
}

describe('fan-out in slices (npm start, 2,000 streams)', () => {
  let server: TestServer;
  const bares: Bare[] = [];

  beforeAll(async () => {
    server = (await startServer({ env: { MAX_SSE_CONNECTIONS: String(STREAMS + 100), MAX_SSE_CONNECTIONS_PER_PRINCIPAL: String(STREAMS + 100), RATE_LIMIT_WRITES_PER_MIN: '0' } })) as TestServer;
    const url = new URL(server.url);
    for (let i = 0; i < STREAMS; i += 100) bares.push(...(await Promise.all(Array.from({ length: 100 }, () => openBare(url)))));
  }, 120_000);
  afterAll(async () => {
    for (const bare of bares) bare.socket.destroy();
    await server?.stop();
  });

  it('brings every stream every event of several writers, once each, in id order', async () => {
    const before = (await health(server.url)).lastEventId;
    // Three writers (the token and two sessions), ten creates each, all at once.
    const writers = [authHeaders(), ...(await Promise.all([signIn(server.url), signIn(server.url)])).map((cookie) => ({ Cookie: cookie, Origin: server.url }))];
    const create = (headers: Record<string, string>, i: number) =>
      fetch(`${server.url}/api/users`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: `Writer ${i}`, email: uniqueEmail('fan-out') }) });
    const answers = await Promise.all(writers.flatMap((headers) => Array.from({ length: 10 }, (_, i) => create(headers, i))));
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 201));
    const expected = Array.from({ length: 30 }, (_, i) => before + 1 + i);
    await expect.poll(() => bares.filter((bare) => bare.ids.length >= 30).length, { timeout: 30_000 }).toBe(STREAMS);
    for (const [i, bare] of bares.entries()) expect(bare.ids, `stream ${i}`).toEqual(expected);
  }, 60_000);

  it("a writer's own stream has the change before the walk reaches the others", async () => {
    const cookie = await signIn(server.url);
    // Opened last, so the walk over the streams reaches it last, after 2,000 others.
    const mine = await openBare(new URL(server.url), `Cookie: ${cookie}`);
    const last = bares.at(-1)!;
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${server.url}/api/users`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: `Mine ${i}`, email: uniqueEmail('mine') }),
      });
      expect(answer.status).toBe(201);
      const id = (await health(server.url)).lastEventId;
      await expect.poll(() => last.arrived.has(id) && mine.arrived.has(id)).toBe(true);
      // Sent to the writer's session in the write's own request; to the rest in the walk after it.
      expect(mine.arrived.get(id)!, `event ${id}`).toBeLessThan(last.arrived.get(id)!);
    }
    mine.socket.destroy();
  }, 60_000);
});
