// What an instance does when its Redis is missing at start or goes away later: a server of its
// own on a private redis-server that the test stops and starts.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, eventually, health, listUsers } from '../support/api';
import { privateRedis, type PrivateRedis } from '../support/redis';
import { exited, freePort, spawnRoster, startServer, tempDir, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { SseClient } from '../support/sse';

const up = await servicesUp('redis');

describe.skipIf(!up)('REDIS_URL set', () => {
  let redis: PrivateRedis;
  let server: TestServer;

  beforeAll(async () => {
    redis = await privateRedis();
    server = await startServer({ env: { REDIS_URL: redis.url } });
  });

  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it('refuses to start while Redis is unreachable, saying which Redis and what to do', async () => {
    const scratch = await tempDir('no-redis');
    try {
      const port = await freePort();
      const closed = await freePort();
      const next = spawnRoster(port, path.join(scratch.dir, 'db.sqlite'), path.join(scratch.dir, 'out.log'), {
        REDIS_URL: `redis://:hunter2@127.0.0.1:${closed}`,
      });
      await exited(next.child);
      expect(next.child.exitCode).toBe(1);
      expect(next.output()).toContain(`Roster refuses to start: Redis at 127.0.0.1:${closed} is unreachable (connect ECONNREFUSED`);
      expect(next.output()).toContain('Start Redis, or unset REDIS_URL');
      expect(next.output()).not.toContain('hunter2');
    } finally {
      await scratch.remove();
    }
  });

  it('keeps accepting and delivering writes while Redis is down, reports degraded, and needs no resync when it returns', async () => {
    const client = await SseClient.connect(`${server.url}/events`);
    expect((await client.next()).event).toBe('connected');
    expect(await health(server.url)).toMatchObject({ status: 'ok', degraded: false });

    await redis.stop();
    const written = await createUser(server.url, 'Written Offline'); // the database is the log
    expect((await listUsers(server.url)).map((u) => u.id)).toContain(written.id);
    const offline = await client.next();
    expect(offline.event).toBe('user_created');
    expect(JSON.parse(offline.data)).toEqual(written);
    await eventually(() => health(server.url), (h) => h.status === 'degraded' && h.degraded === true);

    await redis.start();
    await eventually(() => health(server.url), (h) => h.status === 'ok', 10_000);

    const after = await createUser(server.url, 'Back Online');
    const event = await client.next();
    expect(event.event).toBe('user_created');
    expect(JSON.parse(event.data)).toEqual(after);
    client.close();
  }, 30_000);
});
