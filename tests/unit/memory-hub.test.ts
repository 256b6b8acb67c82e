import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import type { Subscriber } from '@/lib/events/hub';
import { MemoryHub } from '@/lib/events/memory-hub';
import { encodeEvent } from '@/lib/events/sse';

const user = (id: number): UserDTO => ({
  id,
  name: `User ${id}`,
  email: `user${id}@example.com`,
  createdAt: '2026-01-01T00:00:00.000Z',
});

describe('MemoryHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts its ids from the clock in microseconds', () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T12:00:00.000Z'), toFake: ['Date'] });
    expect(new MemoryHub().lastEventId).toBe(Date.parse('2026-03-01T12:00:00.000Z') * 1000);
  });

  it('gives each event an id above every id of a hub started a millisecond earlier', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const before = new MemoryHub();
    await before.publish({ type: 'user_deleted', id: 1 });
    await before.publish({ type: 'user_deleted', id: 2 });
    vi.setSystemTime(1_000_001);
    const restarted = new MemoryHub();
    expect((await restarted.publish({ type: 'user_deleted', id: 3 })).eventId).toBeGreaterThan(before.lastEventId);
  });

  it('numbers events in strictly increasing order and tracks the newest as lastEventId', async () => {
    const hub = new MemoryHub();
    const start = hub.lastEventId;
    const ids: number[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push((await hub.publish({ type: 'user_created', user: user(i) })).eventId);
    }
    expect(ids).toEqual([start + 1, start + 2, start + 3, start + 4, start + 5]);
    expect(hub.lastEventId).toBe(start + 5);
  });

  it('returns the published event with its id and the original payload', async () => {
    const hub = new MemoryHub();
    const published = await hub.publish({ type: 'user_created', user: user(1) });
    expect(published).toEqual({ type: 'user_created', user: user(1), eventId: hub.lastEventId });
  });

  it('delivers each event once to every subscriber, with the same encoded frame object', async () => {
    const hub = new MemoryHub();
    const first = vi.fn<Subscriber>();
    const second = vi.fn<Subscriber>();
    hub.subscribe(first);
    hub.subscribe(second);

    const event = await hub.publish({ type: 'user_deleted', id: 4 });

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    const [frame, delivered] = first.mock.calls[0] ?? [];
    expect(second.mock.calls[0]?.[0]).toBe(frame);
    expect(second.mock.calls[0]?.[1]).toBe(delivered);
    expect(delivered).toEqual(event);
    expect(frame).toEqual(encodeEvent(event));
  });

  it('does not deliver events published before the subscription', async () => {
    const hub = new MemoryHub();
    await hub.publish({ type: 'user_deleted', id: 1 });
    const subscriber = vi.fn<Subscriber>();
    hub.subscribe(subscriber);
    expect(subscriber).not.toHaveBeenCalled();
    await hub.publish({ type: 'user_deleted', id: 2 });
    expect(subscriber).toHaveBeenCalledTimes(1);
    expect(subscriber.mock.calls[0]?.[1]).toMatchObject({ type: 'user_deleted', id: 2 });
  });

  it('stops delivering once unsubscribed, and counts open subscriptions', async () => {
    const hub = new MemoryHub();
    const stays = vi.fn<Subscriber>();
    const leaves = vi.fn<Subscriber>();
    expect(hub.subscriberCount).toBe(0);
    hub.subscribe(stays);
    const unsubscribe = hub.subscribe(leaves);
    expect(hub.subscriberCount).toBe(2);

    unsubscribe();
    expect(hub.subscriberCount).toBe(1);
    unsubscribe();
    expect(hub.subscriberCount).toBe(1);

    await hub.publish({ type: 'user_deleted', id: 1 });
    expect(leaves).not.toHaveBeenCalled();
    expect(stays).toHaveBeenCalledTimes(1);
  });

  it('drops a subscriber that throws and still delivers to the others', async () => {
    const hub = new MemoryHub();
    const before = vi.fn<Subscriber>();
    const broken = vi.fn<Subscriber>(() => {
      throw new TypeError('Invalid state: Controller is already closed');
    });
    const after = vi.fn<Subscriber>();
    hub.subscribe(before);
    hub.subscribe(broken);
    hub.subscribe(after);

    const event = await hub.publish({ type: 'user_deleted', id: 1 });
    expect(event.eventId).toBe(hub.lastEventId);
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);
    expect(hub.subscriberCount).toBe(2);

    await hub.publish({ type: 'user_deleted', id: 2 });
    expect(broken).toHaveBeenCalledTimes(1);
    expect(before).toHaveBeenCalledTimes(2);
    expect(after).toHaveBeenCalledTimes(2);
  });
});
