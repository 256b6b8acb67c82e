// The production server with the garbage collector running all the time (a 1 MB young
// generation), on whichever Node runs the tests — CI runs them on every supported version. It
// catches native code that misbehaves when V8 frees its objects: better-sqlite3 12 on Node 24
// aborted the process (`Assertion failed: (env) != nullptr` in Statement::~Statement) as soon as
// a prepared statement was collected, which this load did within its first second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, health, listUsers } from '../support/api';
import { type TestServer, startServer } from '../support/server';
import { SseClient } from '../support/sse';

const STREAMS = 20;
// Long enough for thousands of young-generation collections; bounded in count too.
const DURATION_MS = 8_000;
const MAX_ROUNDS = 1_000;

let server: TestServer;

beforeAll(async () => {
  server = await startServer({ env: { NODE_OPTIONS: '--max-semi-space-size=1' } });
});

afterAll(async () => {
  await server?.stop();
});

describe('under constant garbage collection', () => {
  it('serves writes, reads and open streams for a while, stays up and delivers every event', { timeout: 90_000 }, async () => {
    const streams = await Promise.all(Array.from({ length: STREAMS }, () => SseClient.connect(`${server.url}/events`)));
    for (const stream of streams) expect((await stream.next()).event).toBe('connected');
    // What the server published before (the first admin, made at start-up).
    const { eventsPublished: before } = await health(server.url);

    const expected: string[] = [];
    const until = Date.now() + DURATION_MS;
    for (let round = 0; round < MAX_ROUNDS && Date.now() < until; round++) {
      const [kept, dropped] = await Promise.all([
        createUser(server.url, `Kept ${round}`),
        createUser(server.url, `Dropped ${round}`),
      ]);
      expect((await deleteUser(server.url, dropped.id)).status).toBe(204);
      const listed = await listUsers(server.url);
      expect(listed.map((user: UserDTO) => user.id)).toContain(kept.id);
      expected.push(`created ${kept.id}`, `created ${dropped.id}`, `deleted ${dropped.id}`);
    }

    for (const stream of streams) {
      const received: string[] = [];
      for (let i = 0; i < expected.length; i++) {
        const message = await stream.next(10_000);
        const { id } = JSON.parse(message.data) as { id: number };
        received.push(`${message.event === 'user_created' ? 'created' : 'deleted'} ${id}`);
      }
      // The two creates of a round run concurrently, so either may be published first.
      expect(received.sort()).toEqual([...expected].sort());
      stream.close();
    }

    expect(server.child.exitCode, 'the server process exited').toBeNull();
    expect(server.child.signalCode, 'the server process was killed by a signal').toBeNull();
    const status = await health(server.url);
    expect(status.status).toBe('ok');
    expect(status.eventsPublished - before).toBe(expected.length);
  });
});
