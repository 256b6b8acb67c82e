import { afterEach, describe, expect, it, vi } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import type { Send } from '@/lib/events/hub';
import { MemoryHub } from '@/lib/events/memory-hub';
import { encodeEvent, resyncFrame } from '@/lib/events/sse';
import type { HubEvent } from '@/lib/dto';
import { aUser, deletedEvent } from '../support/users';

const user = (id: number): UserDTO => aUser(id);

const START = 1_000_000;

/** Publishes `count` user_created events and returns them, oldest first. */
async function publishMany(hub: MemoryHub, count: number): Promise<HubEvent[]> {
  const events: HubEvent[] = [];
  for (let i = 1; i <= count; i++) events.push(await hub.publish({ type: 'user_created', user: user(i) }));
  return events;
}

/** The frames a `send` mock received, in order. */
const framesOf = (send: ReturnType<typeof vi.fn<Send>>) => send.mock.calls.map(([frame]) => frame);

describe('MemoryHub', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts its ids from the clock in microseconds', () => {
    vi.useFakeTimers({ now: new Date('2026-03-01T12:00:00.000Z'), toFake: ['Date'] });
    expect(new MemoryHub(10).lastEventId).toBe(Date.parse('2026-03-01T12:00:00.000Z') * 1000);
  });

  it('gives each event an id above every id of a hub started a millisecond earlier', async () => {
    vi.useFakeTimers({ now: 1_000_000, toFake: ['Date'] });
    const before = new MemoryHub(10);
    await before.publish(deletedEvent(1));
    await before.publish(deletedEvent(2));
    vi.setSystemTime(1_000_001);
    const restarted = new MemoryHub(10);
    expect((await restarted.publish(deletedEvent(3))).eventId).toBeGreaterThan(before.lastEventId);
  });

  it('numbers events in strictly increasing order and tracks the newest as lastEventId', async () => {
    const hub = new MemoryHub(10, START);
    expect(hub.lastEventId).toBe(START);
    const ids = (await publishMany(hub, 5)).map((e) => e.eventId);
    expect(ids).toEqual([START + 1, START + 2, START + 3, START + 4, START + 5]);
    expect(hub.lastEventId).toBe(START + 5);
  });

  it('counts the events it published', async () => {
    const hub = new MemoryHub(2, START);
    expect(hub.eventsPublished).toBe(0);
    await publishMany(hub, 3);
    expect(hub.eventsPublished).toBe(3);
  });

  it('returns the published event with its id and the original payload', async () => {
    const hub = new MemoryHub(10);
    const published = await hub.publish({ type: 'user_created', user: user(1) });
    expect(published).toEqual({ type: 'user_created', user: user(1), eventId: hub.lastEventId });
  });

  it('delivers each event once to every subscriber, with the same encoded frame object', async () => {
    const hub = new MemoryHub(10);
    const first = vi.fn<Send>();
    const second = vi.fn<Send>();
    await hub.subscribe(first);
    await hub.subscribe(second);

    const event = await hub.publish(deletedEvent(4));

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    const frame = first.mock.calls[0]?.[0];
    expect(second.mock.calls[0]?.[0]).toBe(frame);
    expect(frame).toEqual(encodeEvent(event));
  });

  it('sends nothing from the past to a subscriber that gives no id, only live events', async () => {
    const hub = new MemoryHub(10);
    await hub.publish(deletedEvent(1));
    const send = vi.fn<Send>();
    const subscription = await hub.subscribe(send);
    expect(subscription.resync).toBe(false);
    expect(send).not.toHaveBeenCalled();

    const live = await hub.publish(deletedEvent(2));
    expect(framesOf(send)).toEqual([encodeEvent(live)]);
  });

  it('stops delivering once unsubscribed, to that subscriber only, and a second unsubscribe is harmless', async () => {
    const hub = new MemoryHub(10);
    const stays = vi.fn<Send>();
    const leaves = vi.fn<Send>();
    await hub.subscribe(stays);
    const { unsubscribe } = await hub.subscribe(leaves);

    unsubscribe();
    unsubscribe();

    await hub.publish(deletedEvent(1));
    expect(leaves).not.toHaveBeenCalled();
    expect(stays).toHaveBeenCalledTimes(1);
  });

  it('drops a subscriber that throws and still delivers to the others', async () => {
    const hub = new MemoryHub(10);
    const before = vi.fn<Send>();
    const broken = vi.fn<Send>(() => {
      throw new TypeError('Invalid state: Controller is already closed');
    });
    const after = vi.fn<Send>();
    await hub.subscribe(before);
    await hub.subscribe(broken);
    await hub.subscribe(after);

    const event = await hub.publish(deletedEvent(1));
    expect(event.eventId).toBe(hub.lastEventId);
    expect(before).toHaveBeenCalledTimes(1);
    expect(after).toHaveBeenCalledTimes(1);

    await hub.publish(deletedEvent(2));
    expect(broken).toHaveBeenCalledTimes(1);
    expect(before).toHaveBeenCalledTimes(2);
    expect(after).toHaveBeenCalledTimes(2);
  });
});

describe('MemoryHub replay', () => {
  it('sends exactly the events after `after`, in order, then live events without a duplicate', async () => {
    const hub = new MemoryHub(10, START);
    const events = await publishMany(hub, 5);
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, events[1]?.eventId);

    expect(subscription.resync).toBe(false);
    expect(framesOf(send)).toEqual(events.slice(2).map(encodeEvent));
    const live = await hub.publish(deletedEvent(1));
    expect(framesOf(send)).toEqual([...events.slice(2), live].map(encodeEvent));
  });

  it('replays the very frame objects it sent live, rather than encoding them again', async () => {
    const hub = new MemoryHub(10, START);
    const live = vi.fn<Send>();
    await hub.subscribe(live);
    await publishMany(hub, 2);
    const replayed = vi.fn<Send>();

    await hub.subscribe(replayed, START);

    expect(framesOf(replayed)).toHaveLength(2);
    framesOf(replayed).forEach((frame, i) => expect(frame).toBe(framesOf(live)[i]));
  });

  it('replays in the same step as it subscribes, so an event published meanwhile is neither lost nor doubled', async () => {
    const hub = new MemoryHub(10, START);
    const events = await publishMany(hub, 2);
    const send = vi.fn<Send>();

    const pending = hub.subscribe(send, START);
    const meanwhile = hub.publish(deletedEvent(9));
    await pending;

    expect(framesOf(send)).toEqual([...events, await meanwhile].map(encodeEvent));
  });

  it('replays nothing and asks for no resync when `after` is the newest id', async () => {
    const hub = new MemoryHub(10, START);
    await publishMany(hub, 3);
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, hub.lastEventId);

    expect(subscription.resync).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });

  it('replays nothing and asks for no resync when a fresh hub gets back its own starting id', async () => {
    const hub = new MemoryHub(10, START);
    const send = vi.fn<Send>();
    expect((await hub.subscribe(send, START)).resync).toBe(false);
    expect(send).not.toHaveBeenCalled();
  });

  it('replays from the oldest event the log still holds', async () => {
    const hub = new MemoryHub(3, START);
    const events = await publishMany(hub, 5);
    const send = vi.fn<Send>();

    // Events 3, 4 and 5 are what a log of three holds: replay after event 2 is still complete.
    const subscription = await hub.subscribe(send, events[1]?.eventId);

    expect(subscription.resync).toBe(false);
    expect(framesOf(send)).toEqual(events.slice(2).map(encodeEvent));
  });

  it.each([
    ['from the future', (hub: MemoryHub) => hub.lastEventId + 1],
    ['evicted from a log of 3 after 5 events', () => START + 1],
    ['from before the first event this hub kept', () => START - 1],
    ['NaN', () => Number.NaN],
    ['not an integer', () => START + 1.5],
    ['negative', () => -1],
    ['beyond the safe integers', () => Number.MAX_SAFE_INTEGER + 2],
  ])('sends a resync frame, and nothing replayed, for an id %s', async (_case, after) => {
    const hub = new MemoryHub(3, START);
    await publishMany(hub, 5);
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, after(hub));

    expect(subscription.resync).toBe(true);
    expect(framesOf(send)).toEqual([resyncFrame(hub.lastEventId)]);
  });

  it('sends a resync frame for an id handed out before a restart', async () => {
    const before = new MemoryHub(10, START);
    const seen = await publishMany(before, 3);
    // The restarted process starts from a later clock reading, and its log is empty.
    const restarted = new MemoryHub(10, START + 1_000);
    await publishMany(restarted, 1);
    const send = vi.fn<Send>();

    const subscription = await restarted.subscribe(send, seen[1]?.eventId);

    expect(subscription.resync).toBe(true);
    expect(framesOf(send)).toEqual([resyncFrame(restarted.lastEventId)]);
  });

  it('keeps delivering live events to a subscriber that was told to resync', async () => {
    const hub = new MemoryHub(10, START);
    const send = vi.fn<Send>();
    await hub.subscribe(send, START + 99);

    const live = await hub.publish(deletedEvent(1));

    expect(framesOf(send)).toEqual([resyncFrame(START), encodeEvent(live)]);
  });

  it('with a log size of 0 still delivers live events, and cannot replay a missed one', async () => {
    const hub = new MemoryHub(0, START);
    const live = vi.fn<Send>();
    await hub.subscribe(live);
    const events = await publishMany(hub, 1);
    expect(framesOf(live)).toEqual(events.map(encodeEvent));

    const upToDate = vi.fn<Send>();
    expect((await hub.subscribe(upToDate, hub.lastEventId)).resync).toBe(false);
    expect(upToDate).not.toHaveBeenCalled();

    const behind = vi.fn<Send>();
    expect((await hub.subscribe(behind, START)).resync).toBe(true);
    expect(framesOf(behind)).toEqual([resyncFrame(hub.lastEventId)]);
  });
});
