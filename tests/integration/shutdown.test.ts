// SIGTERM with live streams open, on a server of its own, on both ways of serving: the app must
// end its never-ending event streams, and their connections, or the server would wait for them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVES, type TestServer, exited, startServer } from '../support/server';
import { SseClient } from '../support/sse';

describe.each(SERVES)('SIGTERM (%s)', (serve) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer({ serve });
  });

  afterAll(async () => {
    await server?.stop();
  });

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
    // 128 + 15: an orderly exit on SIGTERM (server.ts exits as `next start` does), not a crash and not the harness's SIGKILL.
    expect(server.child.exitCode).toBe(143);
  });
});
