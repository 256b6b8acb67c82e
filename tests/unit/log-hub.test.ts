import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HubEvent, UserDTO } from '@/lib/shared/dto';
import { MemoryBus } from '@/lib/server/events/bus';
import type { EventHub, Send } from '@/lib/server/events/hub';
import { LogHub } from '@/lib/server/events/log-hub';
import { encodeEvent, resyncFrame } from '@/lib/server/events/sse';
import { fannedOut, MemoryLog, memoryHub } from '../support/memory-log';
import { aUser, deletedEvent } from '../support/users';

const user = (id: number): UserDTO => aUser(id);

/** The frames a `send` mock received, in order. */
const framesOf = (send: ReturnType<typeof vi.fn<Send>>) => send.mock.calls.map(([frame]) => frame);
/** What a client reads of those frames: several events read together go out as one write. */
const bytes = (frames: Uint8Array[]) => Buffer.concat(frames);

const hubs: EventHub[] = [];
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.close();
  vi.useRealTimers();
});

async function started(...args: Parameters<typeof memoryHub>) {
  const made = await memoryHub(...args);
  hubs.push(made.hub);
  const publishMany = async (count: number): Promise<HubEvent[]> => {
    const events: HubEvent[] = [];
    for (let i = 1; i <= count; i++) events.push(await made.publish({ type: 'user_created', user: user(i) }));
    return events;
  };
  return { ...made, publishMany };
}

describe('LogHub', () => {
  it('starts at the newest event of the log, 0 when it is empty, and follows the log\'s ids', async () => {
    expect((await started()).hub.lastEventId).toBe(0);
    const log = new MemoryLog(41);
    log.append(deletedEvent(1));
    const { hub, publishMany } = await started({}, log);
    expect(hub.lastEventId).toBe(41);
    expect((await publishMany(3)).map((event) => event.eventId)).toEqual([42, 43, 44]);
    expect(hub.lastEventId).toBe(44);
  });

  it('counts the events it delivered', async () => {
    const { hub, publishMany } = await started({ windowSize: 2 });
    expect(hub.eventsPublished).toBe(0);
    await publishMany(3);
    expect(hub.eventsPublished).toBe(3);
  });

  it('delivers each event once to every subscriber, with the same encoded frame object', async () => {
    const { hub, publish } = await started();
    const first = vi.fn<Send>();
    const second = vi.fn<Send>();
    await hub.subscribe(first);
    await hub.subscribe(second);

    const event = await publish(deletedEvent(4));

    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(1);
    const frame = first.mock.calls[0]?.[0];
    expect(second.mock.calls[0]?.[0]).toBe(frame);
    expect(frame).toEqual(encodeEvent(event));
  });

  it('sends nothing from the past to a subscriber that gives no id, only live events', async () => {
    const { hub, publish } = await started();
    await publish(deletedEvent(1));
    const send = vi.fn<Send>();
    expect((await hub.subscribe(send)).resync).toBe(false);
    expect(send).not.toHaveBeenCalled();

    const live = await publish(deletedEvent(2));
    expect(framesOf(send)).toEqual([encodeEvent(live)]);
  });

  it('stops delivering once unsubscribed, to that subscriber only, and a second unsubscribe is harmless', async () => {
    const { hub, publish } = await started();
    const stays = vi.fn<Send>();
    const leaves = vi.fn<Send>();
    await hub.subscribe(stays);
    const { unsubscribe } = await hub.subscribe(leaves);
    unsubscribe();
    unsubscribe();

    await publish(deletedEvent(1));
    expect(leaves).not.toHaveBeenCalled();
    expect(stays).toHaveBeenCalledTimes(1);
  });

  it('drops a subscriber that throws and still delivers to the others', async () => {
    const { hub, publish } = await started();
    const before = vi.fn<Send>();
    const broken = vi.fn<Send>(() => {
      throw new TypeError('Invalid state: Controller is already closed');
    });
    const after = vi.fn<Send>();
    for (const send of [before, broken, after]) await hub.subscribe(send);

    await publish(deletedEvent(1));
    await publish(deletedEvent(2));
    expect(broken).toHaveBeenCalledTimes(1);
    expect(before).toHaveBeenCalledTimes(2);
    expect(after).toHaveBeenCalledTimes(2);
  });

  it('delivers events committed without a ring at its next poll, in the log\'s order', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const log = new MemoryLog();
    const hub = new LogHub(log, new MemoryBus(), { windowSize: 10, pollMs: 1_000, replayLimit: 100 });
    hubs.push(hub);
    await hub.start();
    const send = vi.fn<Send>();
    await hub.subscribe(send);
    // Another instance committed these and died before ringing.
    const events = [log.append(deletedEvent(1)), log.append(deletedEvent(2))];
    expect(send).not.toHaveBeenCalled();

    vi.advanceTimersByTime(1_000);
    await vi.waitFor(() => expect(bytes(framesOf(send))).toEqual(bytes(events.map(encodeEvent))));
  });

  it('reads the log once more when rung during a read, so nothing committed before a ring waits for the poll', async () => {
    const { hub, log } = await started();
    const send = vi.fn<Send>();
    await hub.subscribe(send);
    const first = log.append(deletedEvent(1));
    const reading = hub.ring();
    const second = log.append(deletedEvent(2)); // committed while the first read is under way
    await Promise.all([reading, hub.ring()]);
    await fannedOut();
    expect(bytes(framesOf(send))).toEqual(bytes([first, second].map(encodeEvent)));
  });

  it('reads the log once per ring: its own ring coming back over the bus reads nothing more', async () => {
    const { log, publishMany } = await started();
    log.reads.length = 0;
    await publishMany(3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.reads).toEqual([0, 1, 2]);
  });
});

describe('LogHub replay', () => {
  it('sends exactly the events after `after`, in order, then live events without a duplicate', async () => {
    const { hub, publish, publishMany } = await started();
    const events = await publishMany(5);
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, events[1]?.eventId);

    expect(subscription.resync).toBe(false);
    expect(framesOf(send)).toEqual(events.slice(2).map(encodeEvent));
    const live = await publish(deletedEvent(1));
    expect(framesOf(send)).toEqual([...events.slice(2), live].map(encodeEvent));
  });

  it('replays the very frame objects it sent live from memory, rather than encoding them again', async () => {
    const { hub, publishMany } = await started();
    const live = vi.fn<Send>();
    await hub.subscribe(live);
    await publishMany(2);
    const replayed = vi.fn<Send>();

    await hub.subscribe(replayed, 0);

    expect(framesOf(replayed)).toHaveLength(2);
    framesOf(replayed).forEach((frame, i) => expect(frame).toBe(framesOf(live)[i]));
  });

  it('replays nothing and asks for no resync when `after` is the newest id, or 0 on an empty log', async () => {
    const empty = await started();
    const none = vi.fn<Send>();
    expect((await empty.hub.subscribe(none, 0)).resync).toBe(false);
    const { hub, publishMany } = await started();
    await publishMany(3);
    const send = vi.fn<Send>();
    expect((await hub.subscribe(send, hub.lastEventId)).resync).toBe(false);
    expect(send).not.toHaveBeenCalled();
    expect(none).not.toHaveBeenCalled();
  });

  it('after a restart replays from the log what a client missed, without a resync', async () => {
    const log = new MemoryLog();
    const before = await started({}, log);
    const seen = await before.publishMany(3);
    before.hub.close();
    const restarted = await started({}, log); // the same database, a new process
    const missed = await restarted.publish(deletedEvent(9));
    const send = vi.fn<Send>();

    const subscription = await restarted.hub.subscribe(send, seen[1]?.eventId);

    expect(subscription.resync).toBe(false);
    expect(framesOf(send)).toEqual([seen[2]!, missed].map(encodeEvent));
  });

  it('replays a cursor older than its memory from the database, holding live events back until it is out', async () => {
    const { hub, log, publish, publishMany } = await started({ windowSize: 2 });
    const events = await publishMany(8); // memory keeps the newest 2 (up to 4 before it trims)
    const send = vi.fn<Send>();

    const subscribing = hub.subscribe(send, events[0]?.eventId);
    const meanwhile = publish(deletedEvent(9)); // delivered while the database replay is under way
    const subscription = await subscribing;
    const live = await meanwhile;

    expect(subscription.resync).toBe(false);
    expect(framesOf(send)).toEqual([...events.slice(1), live].map(encodeEvent));
    expect(log.reads).toContain(events[0]!.eventId); // the replay was read from the log
  });

  it('catches up first when a client names an id newer than it has read (a page read from the database)', async () => {
    const { hub, log } = await started();
    const committed = log.append(deletedEvent(1)); // not rung yet
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, committed.eventId);

    expect(subscription.resync).toBe(false);
    expect(hub.lastEventId).toBe(committed.eventId);
    expect(send).not.toHaveBeenCalled();
  });

  it.each([
    ['from the future', (last: number) => last + 1],
    ['pruned from the log', () => 1],
    ['NaN', () => Number.NaN],
    ['not an integer', (last: number) => last - 0.5],
    ['negative', () => -1],
    ['beyond the safe integers', () => Number.MAX_SAFE_INTEGER + 2],
  ])('sends a resync frame, and nothing replayed, for an id %s', async (_case, after) => {
    const { hub, log, publishMany } = await started({ windowSize: 2 });
    await publishMany(8);
    log.prune(3); // events 1-3 are gone: a replay after 1 would miss 2 and 3
    const send = vi.fn<Send>();

    const subscription = await hub.subscribe(send, after(hub.lastEventId));

    expect(subscription.resync).toBe(true);
    expect(framesOf(send)).toEqual([resyncFrame(hub.lastEventId)]);
  });

  it('sends a resync rather than replay more than replayLimit events from the database', async () => {
    const { hub, publishMany } = await started({ windowSize: 2, replayLimit: 5 });
    await publishMany(10);
    const tooFar = vi.fn<Send>();
    expect((await hub.subscribe(tooFar, 3)).resync).toBe(true); // 7 missed
    const near = vi.fn<Send>();
    expect((await hub.subscribe(near, 5)).resync).toBe(false); // 5 missed
    expect(framesOf(near)).toHaveLength(5);
  });

  it('keeps delivering live events to a subscriber that was told to resync', async () => {
    const { hub, publish } = await started();
    const send = vi.fn<Send>();
    await hub.subscribe(send, 99);

    const live = await publish(deletedEvent(1));

    expect(framesOf(send)).toEqual([resyncFrame(0), encodeEvent(live)]);
  });

  it('with a memory of 0 still delivers live events, and replays a missed one from the log', async () => {
    const { hub, publishMany } = await started({ windowSize: 0 });
    const live = vi.fn<Send>();
    await hub.subscribe(live);
    const events = await publishMany(2);
    expect(framesOf(live)).toEqual(events.map(encodeEvent));

    const behind = vi.fn<Send>();
    expect((await hub.subscribe(behind, events[0]!.eventId)).resync).toBe(false);
    expect(framesOf(behind)).toEqual([encodeEvent(events[1]!)]);
  });
});

// 2,000 subscriptions take a few seconds on a loaded CI machine (Node 22 ran past the default 5 s).
describe('LogHub fan-out in slices', { timeout: 30_000 }, () => {
  /** A stream's send that takes a little while, as a socket write does, so 2,000 of them need several slices. */
  const slowSend = (frames: Uint8Array[]): Send => (frame) => {
    const until = performance.now() + 0.01;
    while (performance.now() < until);
    frames.push(frame);
  };

  it('gives the event loop back between slices, and still brings every stream every event once, in id order, while streams open and close', async () => {
    const { hub, log } = await started({ windowSize: 100 });
    const streams = Array.from({ length: 2_000 }, () => ({ frames: [] as Uint8Array[], from: 0, closedAt: null as number | null, unsubscribe: () => {} }));
    for (const stream of streams) stream.unsubscribe = (await hub.subscribe(slowSend(stream.frames))).unsubscribe;

    // Three writers commit and ring at once; between slices, streams close and new ones open.
    const events = [1, 2, 3].map((i) => log.append(deletedEvent(i)));
    const rings = events.map(() => hub.ring());
    let turns = 0;
    const late: typeof streams = [];
    await Promise.all(rings);
    for (; turns < 200 && streams.some((stream) => stream.frames.length < events.length && stream.closedAt === null); turns++) {
      await new Promise((resolve) => setImmediate(resolve));
      if (turns === 1) {
        for (const stream of streams.slice(0, 10)) {
          stream.closedAt = stream.frames.length;
          stream.unsubscribe();
        }
      }
      if (turns === 2) {
        const opened = { frames: [] as Uint8Array[], from: hub.lastEventId, closedAt: null, unsubscribe: () => {} };
        opened.unsubscribe = (await hub.subscribe(slowSend(opened.frames), 1)).unsubscribe;
        late.push(opened);
      }
    }
    await fannedOut();
    // Sliced: the walk over 2,000 slow streams (~20 ms) took several turns of the event loop.
    expect(turns).toBeGreaterThan(2);
    for (const [i, stream] of streams.entries()) {
      if (stream.closedAt !== null) continue;
      // All three, in one write: they were read before the walk reached any stream.
      expect(stream.frames, `stream ${i}`).toEqual([bytes(events.map(encodeEvent))]);
    }
    // Closed mid-walk: what it had, and nothing after.
    for (const stream of streams.slice(0, 10)) expect(stream.frames).toHaveLength(stream.closedAt!);
    // Opened after event 1, mid-walk: events 2 and 3, each once (replayed or walked).
    expect(bytes(late[0]!.frames)).toEqual(bytes(events.slice(1).map(encodeEvent)));
    // Closed mid-walk: held no longer, and a later event reaches only the open ones.
    expect(hub.subscribers).toBe(streams.length - 10 + late.length);
    const next = log.append(deletedEvent(4));
    await hub.ring();
    await fannedOut();
    expect(streams[0]?.frames).toHaveLength(streams[0]?.closedAt ?? -1);
    expect(streams[10]?.frames.at(-1)).toEqual(encodeEvent(next));
    expect(streams[10]?.frames).toHaveLength(2);
  });

  it('in a burst, rests between walks as long as the last one took, and sends what was read meanwhile in one write', async () => {
    const { hub, log } = await started({ windowSize: 100 });
    const streams = Array.from({ length: 2_000 }, () => [] as Uint8Array[]);
    for (const frames of streams) await hub.subscribe(slowSend(frames));
    const first = log.append(deletedEvent(1));
    await hub.ring();
    // A second event while the walk is under way (the first stream has the first one, the last not yet).
    while (streams[0]!.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const second = log.append(deletedEvent(2));
    await hub.ring();
    // A third just after the walk: the streams it passed early are still waiting for the second.
    while (streams.at(-1)!.length === 0) await new Promise((resolve) => setImmediate(resolve));
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(streams[0]).toHaveLength(1);
    const third = log.append(deletedEvent(3));
    await hub.ring();
    for (let turn = 0; turn < 500 && streams[0]!.length < 2; turn++) await new Promise((resolve) => setTimeout(resolve, 1));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await fannedOut();
    // Early streams: the first, then the second and third in one write (without the rest, the
    // second walk starts at once and sends the second alone). Late ones: the first two joined, then the third.
    expect(streams[0]).toEqual([encodeEvent(first), bytes([second, third].map(encodeEvent))]);
    expect(streams.at(-1)).toEqual([bytes([first, second].map(encodeEvent)), encodeEvent(third)]);
    for (const frames of streams) expect(bytes(frames)).toEqual(bytes([first, second, third].map(encodeEvent)));
  });

  it("reaches the writer's own streams before the writer's answer, everyone else's right after", async () => {
    const { hub, log } = await started();
    const mine: Uint8Array[] = [];
    const theirs: Uint8Array[] = [];
    await hub.subscribe((frame) => mine.push(frame), undefined, 'user:1');
    await hub.subscribe((frame) => theirs.push(frame), undefined, 'user:2');
    // Someone else's write, still being walked when ours is read: ours must not overtake it.
    const before = log.append(deletedEvent(1));
    void hub.ring('user:3');
    const ours = log.append(deletedEvent(2));
    await hub.ring('user:1');
    expect(bytes(mine)).toEqual(bytes([before, ours].map(encodeEvent)));
    expect(theirs).toEqual([]);
    await fannedOut();
    expect(bytes(theirs)).toEqual(bytes([before, ours].map(encodeEvent)));
    expect(bytes(mine)).toEqual(bytes([before, ours].map(encodeEvent)));
  });
});
