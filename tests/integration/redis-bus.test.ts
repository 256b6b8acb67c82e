// With REDIS_URL, instances ring each other through Redis pub/sub: two hubs reading one log (a
// log in memory stands for the shared database), each with its own RedisBus, stand for two
// instances. Redis carries no events, so losing it costs only time, never an event.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RedisBus } from '@/lib/server/events/bus';
import type { Send } from '@/lib/server/events/hub';
import { SessionRelay } from '@/lib/server/auth/session-relay';
import { LogHub } from '@/lib/server/events/log-hub';
import { encodeEvent } from '@/lib/server/events/sse';
import { eventually } from '../support/api';
import { MemoryLog } from '../support/memory-log';
import { dropPrefix, privateRedis, uniquePrefix } from '../support/redis';
import { REDIS_URL, servicesUp } from '../support/services';
import { deletedEvent } from '../support/users';

const up = await servicesUp('redis');

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** An instance: a hub on the shared log, ringing through Redis at `url`, polling every `pollMs`. */
async function instance(log: MemoryLog, url: string, prefix: string, pollMs = 60_000) {
  const hub = new LogHub(log, new RedisBus(url, prefix), { windowSize: 100, pollMs, replayLimit: 1_000 });
  await hub.start();
  closers.push(() => hub.close());
  return hub;
}

describe.skipIf(!up)('RedisBus between two instances', () => {
  it('rings the other instance, which reads the event from the log at once (no poll needed)', async () => {
    const prefix = uniquePrefix();
    closers.push(() => dropPrefix(prefix));
    const log = new MemoryLog();
    const [a, b] = [await instance(log, REDIS_URL, prefix), await instance(log, REDIS_URL, prefix)];
    const onB = vi.fn<Send>();
    await b.subscribe(onB);

    const event = log.append(deletedEvent(1)); // a write on A commits...
    await a.ring(); // ...and rings

    await vi.waitFor(() => expect(onB.mock.calls.map(([frame]) => frame)).toEqual([encodeEvent(event)]), { timeout: 2_000 });
    expect(b.lastEventId).toBe(event.eventId);
  });

  it('carries ended sessions to every instance, the sender\'s included', async () => {
    const prefix = uniquePrefix();
    closers.push(() => dropPrefix(prefix));
    const relay = async () => {
      const bus = new RedisBus(REDIS_URL, prefix);
      const relay = new SessionRelay(bus);
      await bus.start();
      closers.push(() => bus.close());
      return relay;
    };
    const [a, b] = [await relay(), await relay()];
    const heard: string[] = [];
    a.onSessionsEnded((ended) => heard.push(`a:${JSON.stringify(ended)}`));
    b.onSessionsEnded((ended) => heard.push(`b:${JSON.stringify(ended)}`));

    await a.endSessions(['s1']);

    await vi.waitFor(() => expect(heard.sort()).toEqual(['a:["s1"]', 'b:["s1"]']), { timeout: 2_000 });
  });

  it('refuses to start while Redis is unreachable, naming where it looked and not its password', async () => {
    const redis = await privateRedis();
    await redis.stop();
    const bus = new RedisBus(redis.url.replace('redis://', 'redis://:secret@'), 'x:');
    const address = redis.url.slice('redis://'.length);
    const failure = await bus.start().then(
      () => '',
      (error: Error) => error.message,
    );
    bus.close();
    expect(failure).toContain(`Redis at ${address} is unreachable`);
    expect(failure).not.toContain('secret');
  });

  it('while Redis is down reports degraded and still delivers by polling; once back, rings again; no event is lost', async () => {
    const redis = await privateRedis();
    closers.push(() => redis.stop());
    const log = new MemoryLog();
    const [a, b] = [await instance(log, redis.url, 'roster:', 500), await instance(log, redis.url, 'roster:', 500)];
    const onB = vi.fn<Send>();
    await b.subscribe(onB);

    await redis.stop();
    await eventually(async () => a.degraded && b.degraded, (degraded) => degraded, 5_000);
    const during = log.append(deletedEvent(1));
    await a.ring(); // nobody hears this ring: B finds the event at its next poll
    await vi.waitFor(() => expect(onB).toHaveBeenCalledTimes(1), { timeout: 2_000 });

    await redis.start(); // empty, as after a crash: nothing in Redis mattered
    await eventually(async () => a.degraded || b.degraded, (degraded) => !degraded, 10_000);
    const after = log.append(deletedEvent(2));
    await a.ring();
    await vi.waitFor(() => expect(onB.mock.calls.map(([frame]) => frame)).toEqual([during, after].map(encodeEvent)), { timeout: 2_000 });
  }, 30_000);
});
