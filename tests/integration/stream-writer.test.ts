// `npm start`'s stream writer (lib/server/events/writer.ts): a child process the server hands each
// open stream's socket to, which writes the frames. Here, on a server of its own: streams are
// served through it; if it dies, its streams close (their clients reconnect and replay) and the
// next stream gets a new one; and it does not outlive the server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, createUser } from '../support/api';
import { childPids } from '../support/processes';
import { parsePrometheus, valueOf } from '../support/prometheus';
import { startServer, type TestServer } from '../support/server';
import { SseClient } from '../support/sse';

/** A process's command line, and whether it is still running. */
const commandOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('the stream writer (npm start)', () => {
  let server: TestServer;
  const writer = () => childPids(server.child.pid!).find((pid) => commandOf(pid).includes('writer-process.ts'));

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is a child process of the server that writes the streams', async () => {
    expect(writer()).toBeGreaterThan(0);
    const client = await SseClient.connect(`${server.url}/events`);
    expect((await client.next()).event).toBe('connected');
    const user = await createUser(server.url, 'Written By The Writer');
    const event = await client.next();
    expect(event.event).toBe('user_created');
    expect(JSON.parse(event.data)).toEqual(user);
    client.close();
  });

  it('closes its streams when it dies, and the next stream gets a new writer', async () => {
    const first = writer()!;
    const clients = [await SseClient.connect(`${server.url}/events`), await SseClient.connect(`${server.url}/events`)];
    for (const client of clients) expect((await client.next()).event).toBe('connected');
    process.kill(first, 'SIGKILL');
    // Closed, not left hanging: the client reconnects (and replays what it missed).
    for (const client of clients) await expect(client.next(5_000)).rejects.toThrow('The event stream ended');

    const again = await SseClient.connect(`${server.url}/events`);
    expect((await again.next()).event).toBe('connected');
    const user = await createUser(server.url, 'After The Writer Died');
    expect(JSON.parse((await again.next()).data)).toEqual(user);
    expect(writer()).not.toBe(first);
    const metrics = parsePrometheus(await (await fetch(`${server.url}/api/metrics`, { headers: authHeaders() })).text());
    expect(valueOf(metrics, 'roster_stream_writer_exits_total')).toBe(1);
    again.close();
  });

  it('ends when the server dies, closing the streams it held', async () => {
    const held = writer()!;
    const client = await SseClient.connect(`${server.url}/events`);
    expect((await client.next()).event).toBe('connected');
    server.child.kill('SIGKILL');
    await expect(client.next(6_000)).rejects.toThrow('The event stream ended');
    await expect.poll(() => running(held), { timeout: 6_000 }).toBe(false);
  }, 20_000);
});
