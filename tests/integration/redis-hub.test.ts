// The Redis hub against real Redis: two hubs on one stream stand for two instances.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Send } from '@/lib/events/hub';
import { RedisHub } from '@/lib/events/redis-hub';
import type { UserEvent } from '@/lib/dto';
import { eventually } from '../support/api';
import { dropPrefix, privateRedis, uniquePrefix } from '../support/redis';
import { REDIS_URL, servicesUp } from '../support/services';
import { parseBlock, type SseMessage } from '../support/sse';
import { aUser, deletedEvent } from '../support/users';

const up = await servicesUp('redis');
const decoder = new TextDecoder();

/** A subscriber that keeps what it was sent, as SSE messages, marking replayed ones. */
function recorder() {
  const messages: (SseMessage & { replayed: boolean })[] = [];
  const send: Send = (frame, replayed = false) => {
    const { message } = parseBlock(decoder.decode(frame));
    if (message) messages.push({ ...message, replayed });
  };
  return { messages, send, ids: () => messages.map((m) => Number(m.id)) };
}

const deleted = (id: number): UserEvent => deletedEvent(id);

describe.skipIf(!up)('RedisHub on a shared stream', () => {
  let prefix: string;
  const hubs: RedisHub[] = [];
  const hub = async (logSize = 100, url = REDIS_URL) => {
    const created = new RedisHub({ url, keyPrefix: prefix, logSize });
    hubs.push(created);
    await created.start();
    return created;
  };

  beforeEach(() => {
    prefix = uniquePrefix();
  });

  afterEach(async () => {
    for (const h of hubs.splice(0)) h.close();
    await dropPrefix(prefix);
  });

  it('delivers every event published on either instance to subscribers on both, in one order', async () => {
    const [a, b] = [await hub(), await hub()];
    const [onA, onB] = [recorder(), recorder()];
    await a.subscribe(onA.send);
    await b.subscribe(onB.send);

    const published = [];
    for (let i = 1; i <= 10; i++) published.push(await (i % 2 ? a : b).publish(deleted(i)));

    const ids = published.map((event) => event?.eventId);
    expect(ids.every((id, i) => typeof id === 'number' && (i === 0 || id > (ids[i - 1] ?? 0)))).toBe(true);
    await eventually(async () => onB.messages.length, (n) => n === 10);
    await eventually(async () => onA.messages.length, (n) => n === 10);
    expect(onA.ids()).toEqual(ids);
    expect(onB.ids()).toEqual(ids);
    expect(onB.messages.map((m) => JSON.parse(m.data) as unknown)).toEqual(published.map((_, i) => ({ id: i + 1, user: aUser(i + 1) })));
    expect(b.lastEventId).toBe(ids.at(-1));
  });

  it("replays on one instance what another published, also before it started", async () => {
    const a = await hub();
    const before = a.lastEventId;
    const published = [await a.publish(deleted(1)), await a.publish(deleted(2)), await a.publish(deleted(3))];

    const b = await hub();
    const client = recorder();
    const subscription = await b.subscribe(client.send, before);

    expect(subscription.resync).toBe(false);
    expect(client.messages.map((m) => [m.event, Number(m.id), m.replayed])).toEqual(
      published.map((event) => ['user_deleted', event?.eventId, true]),
    );
  });

  it('gives a client that is ahead of this instance no event twice and none missed', async () => {
    const [a, b] = [await hub(), await hub()];
    for (let i = 0; i < 20; i++) {
      const seen = await a.publish(deleted(i)); // the client saw it on A; B may not have read it yet
      const client = recorder();
      const subscription = await b.subscribe(client.send, seen?.eventId);
      const next = await a.publish(deleted(1000 + i));
      await eventually(async () => client.messages.length, (n) => n >= 1);
      await new Promise((resolve) => setTimeout(resolve, 5));
      expect(client.ids()).toEqual([next?.eventId]);
      subscription.unsubscribe();
    }
  });

  it('replays the newest EVENT_LOG_SIZE events and tells an older, unknown or garbage id to resync', async () => {
    const a = await hub(3);
    const ids: number[] = [];
    for (let i = 1; i <= 6; i++) ids.push((await a.publish(deleted(i)))?.eventId ?? -1);
    const b = await hub(3);

    const kept = recorder();
    const replay = await b.subscribe(kept.send, ids[2]);
    expect(replay.resync).toBe(false);
    expect(kept.ids()).toEqual(ids.slice(3));

    for (const after of [ids[1] ?? -1, ids[0] ?? -1, (ids[5] ?? 0) + 1, 12345, Number.NaN]) {
      const client = recorder();
      const subscription = await b.subscribe(client.send, after);
      expect(subscription.resync, `after ${after}`).toBe(true);
      expect(client.messages.map((m) => [m.event, m.data])).toEqual([['resync', JSON.stringify({ lastEventId: ids[5] })]]);
    }
  });
});

describe.skipIf(!up)('RedisHub when Redis goes away', () => {
  it('refuses to start while Redis is unreachable, naming where it looked', async () => {
    const redis = await privateRedis();
    await redis.stop();
    const hub = new RedisHub({ url: redis.url.replace('redis://', 'redis://:secret@'), keyPrefix: 'x:', logSize: 10 });
    const address = redis.url.slice('redis://'.length);
    await expect(hub.start()).rejects.toThrow(`Redis at ${address} is unreachable`);
    await expect(hub.start()).rejects.not.toThrow('secret');
  });

  it('publishes nothing while Redis is down, reports degraded, and has clients resync when it returns', async () => {
    const redis = await privateRedis();
    const [a, b] = [new RedisHub({ url: redis.url, keyPrefix: 'roster:', logSize: 100 }), new RedisHub({ url: redis.url, keyPrefix: 'roster:', logSize: 100 })];
    try {
      await a.start();
      await b.start();
      const client = recorder();
      await b.subscribe(client.send, b.lastEventId);
      await a.publish(deleted(1));
      await eventually(async () => client.messages.length, (n) => n === 1);

      await redis.stop();
      const startedAt = Date.now();
      expect(await a.publish(deleted(2))).toBeNull(); // the write stands; its event is lost
      expect(Date.now() - startedAt).toBeLessThan(3_000);
      expect(a.degraded).toBe(true);
      await eventually(async () => b.degraded, (degraded) => degraded);

      await redis.start(); // empty: the stream is gone with the restart
      await eventually(async () => client.messages.map((m) => m.event), (events) => events.includes('resync'), 10_000);
      await eventually(async () => a.degraded || b.degraded, (degraded) => !degraded, 10_000);

      const after = await a.publish(deleted(3));
      expect(after).not.toBeNull();
      await eventually(async () => client.messages.at(-1)?.id, (id) => id === String(after?.eventId));
      expect(client.messages.map((m) => m.event)).toEqual(['user_deleted', ...client.messages.slice(1, -1).map(() => 'resync'), 'user_deleted']);
    } finally {
      a.close();
      b.close();
      await redis.stop();
    }
  }, 30_000);
});
