// SIGTERM with live streams open, on a server of its own: Next.js waits for open connections
// before it exits, so the app must end its never-ending event streams, and their connections.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, exited, startServer } from '../support/server';
import { SseClient } from '../support/sse';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('SIGTERM', () => {
  it('sends every open stream a shutdown event, ends it, and lets the server exit within 3 s', async () => {
    const clients = [await SseClient.connect(`${server.url}/events`), await SseClient.connect(`${server.url}/events`)];
    for (const client of clients) expect((await client.next()).event).toBe('connected');

    const signalledAt = Date.now();
    server.child.kill('SIGTERM');

    for (const client of clients) {
      const shutdown = await client.next(3_000);
      expect(shutdown.event).toBe('shutdown');
      expect(JSON.parse(shutdown.data)).toEqual({ reconnectWithinMs: 3_000 });
      await expect(client.next(3_000)).rejects.toThrow('The event stream ended');
    }
    const exitedInTime = await Promise.race([
      exited(server.child).then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, 3_000 - (Date.now() - signalledAt), false)),
    ]);
    expect(exitedInTime, 'the server is still running 3 s after SIGTERM').toBe(true);
    // 128 + 15: Next.js's own orderly exit on SIGTERM, not a crash and not the harness's SIGKILL.
    expect(server.child.exitCode).toBe(143);
  });
});
