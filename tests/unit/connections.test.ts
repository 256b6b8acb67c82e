import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { Connections } from '@/lib/server/events/connections';
import type { EventHub, Send } from '@/lib/server/events/hub';
import { MemoryBus } from '@/lib/server/events/bus';
import { LogHub } from '@/lib/server/events/log-hub';
import { fannedOut, MemoryLog } from '../support/memory-log';
import { EXPIRED, HEARTBEAT, RETRY, SHUTDOWN, encodeEvent, resyncFrame, sseFrame } from '@/lib/server/events/sse';
import type { HubEvent, UserEvent } from '@/lib/shared/dto';
import { aUser, deletedEvent } from '../support/users';

const START = 1_000_000;
const LIMITS = { maxConnections: 100, maxQueueBytes: 64 * 1024 };

const user = (id: number): UserDTO => aUser(id, { name: `User ${id} `.padEnd(100, 'x') });

/** A real LogHub (on a log in memory) that also counts the subscriptions still held, to prove none are left behind. */
class CountingHub implements EventHub {
  readonly log = new MemoryLog(START);
  readonly inner = new LogHub(this.log, new MemoryBus(), { windowSize: 10, pollMs: 0, replayLimit: 100 });
  subscribers = 0;

  readonly degraded = false;

  /** What a write does: commit the event to the log, then ring. */
  async publish(event: UserEvent): Promise<HubEvent> {
    const recorded = this.log.append(event);
    await this.inner.ring();
    await fannedOut();
    return recorded;
  }

  ring() {
    return this.inner.ring();
  }

  committedAt(eventId: number) {
    return this.inner.committedAt(eventId);
  }

  start() {
    return this.inner.start();
  }

  close() {
    this.inner.close();
  }

  async subscribe(send: Send, after?: number, owner?: string | null) {
    const subscription = await this.inner.subscribe(send, after, owner);
    this.subscribers++;
    let held = true;
    const unsubscribe = () => {
      if (held) this.subscribers--;
      held = false;
      subscription.unsubscribe();
    };
    return { resync: subscription.resync, unsubscribe };
  }

  get lastEventId() {
    return this.inner.lastEventId;
  }

  get eventsPublished() {
    return this.inner.eventsPublished;
  }
}

/** A started CountingHub whose log already holds one event, START: ids continue from there. */
async function countingHub(): Promise<CountingHub> {
  const hub = new CountingHub();
  hub.log.append(deletedEvent(0));
  await hub.start();
  return hub;
}

const connected = (lastEventId: number) => sseFrame('connected', { lastEventId });

function openStream(connections: Connections, hub: EventHub, after?: number) {
  const body = connections.open(hub, after);
  if (!body) throw new Error('open() refused the stream');
  return body.getReader();
}

/** The next chunk the client would receive; fails if the stream ended instead. */
async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  const { done, value } = await reader.read();
  if (done) throw new Error('the stream ended');
  return value;
}

/** Reads past `retry` and `connected`, checking both. */
async function skipPreamble(reader: ReadableStreamDefaultReader<Uint8Array>, hub: EventHub) {
  expect(await nextChunk(reader)).toEqual(RETRY);
  expect(await nextChunk(reader)).toEqual(connected(hub.lastEventId));
}

/** Lets pending promise callbacks (the streams' start and pull steps) run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Connections', () => {
  beforeEach(() => {
    // Only the timers: the streams' own promise machinery must keep running for real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('opens with a retry hint, then connected carrying the hub lastEventId, then published frames', async () => {
    const hub = await countingHub();
    await hub.publish(deletedEvent(99));
    const reader = openStream(new Connections(LIMITS), hub);

    expect(await nextChunk(reader)).toEqual(RETRY);
    expect(await nextChunk(reader)).toEqual(connected(hub.lastEventId));
    const created = await hub.publish({ type: 'user_created', user: user(1) });
    const deleted = await hub.publish(deletedEvent(1));
    expect(await nextChunk(reader)).toEqual(encodeEvent(created));
    expect(await nextChunk(reader)).toEqual(encodeEvent(deleted));
    await reader.cancel();
  });

  it('sends the events after `after` between connected and the live events', async () => {
    const hub = await countingHub();
    const missed: HubEvent[] = [];
    for (let i = 1; i <= 3; i++) missed.push(await hub.publish(deletedEvent(i)));
    const reader = openStream(new Connections(LIMITS), hub, START + 1);

    await skipPreamble(reader, hub);
    for (const event of missed.slice(1)) expect(await nextChunk(reader)).toEqual(encodeEvent(event));
    const live = await hub.publish(deletedEvent(4));
    expect(await nextChunk(reader)).toEqual(encodeEvent(live));
    await reader.cancel();
  });

  it('sends resync after connected for an id the hub does not know, then live events', async () => {
    const hub = await countingHub();
    const reader = openStream(new Connections(LIMITS), hub, Number.NaN);

    await skipPreamble(reader, hub);
    expect(await nextChunk(reader)).toEqual(resyncFrame(START));
    const live = await hub.publish(deletedEvent(4));
    expect(await nextChunk(reader)).toEqual(encodeEvent(live));
    await reader.cancel();
  });

  it('sends a heartbeat comment every heartbeatMs while no event flows, and nothing before', async () => {
    const hub = await countingHub();
    const reader = openStream(new Connections({ ...LIMITS, heartbeatMs: 1_000 }), hub);
    await skipPreamble(reader, hub);

    vi.advanceTimersByTime(1_000);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    vi.advanceTimersByTime(1_000);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    await reader.cancel();
  });

  it('skips the heartbeat round after an interval in which an event reached every stream', async () => {
    const hub = await countingHub();
    const connections = new Connections({ ...LIMITS, heartbeatMs: 1_000 });
    const readers = [openStream(connections, hub), openStream(connections, hub)];
    for (const reader of readers) await skipPreamble(reader, hub);

    vi.advanceTimersByTime(500);
    const published = await hub.publish(deletedEvent(5));
    for (const reader of readers) expect(await nextChunk(reader)).toEqual(encodeEvent(published));
    vi.advanceTimersByTime(500); // the tick after the event: every stream has had bytes, no heartbeat
    vi.advanceTimersByTime(1_000); // a quiet interval: heartbeat
    const later = await hub.publish(deletedEvent(6));
    for (const reader of readers) {
      expect(await nextChunk(reader)).toEqual(HEARTBEAT);
      expect(await nextChunk(reader)).toEqual(encodeEvent(later));
    }
    for (const reader of readers) await reader.cancel();
  });

  it('uses a 15 second heartbeat by default', async () => {
    const hub = await countingHub();
    const reader = openStream(new Connections(LIMITS), hub);
    await skipPreamble(reader, hub);

    vi.advanceTimersByTime(14_999);
    const published = await hub.publish(deletedEvent(5));
    expect(await nextChunk(reader)).toEqual(encodeEvent(published));
    vi.advanceTimersByTime(1); // an event since the last tick: skipped
    vi.advanceTimersByTime(15_000);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    await reader.cancel();
  });

  it('runs one heartbeat timer for all its streams, and none once the last one closes', async () => {
    const hub = await countingHub();
    const connections = new Connections({ ...LIMITS, heartbeatMs: 1_000 });
    expect(vi.getTimerCount()).toBe(0);
    const readers = Array.from({ length: 5 }, () => openStream(connections, hub));
    for (const reader of readers) await skipPreamble(reader, hub);
    expect(connections.size).toBe(5);
    expect(vi.getTimerCount()).toBe(1);

    vi.advanceTimersByTime(1_000);
    for (const reader of readers) expect(await nextChunk(reader)).toEqual(HEARTBEAT);

    for (const reader of readers.slice(1)) await reader.cancel();
    expect(vi.getTimerCount()).toBe(1);
    await readers[0]?.cancel();
    expect(vi.getTimerCount()).toBe(0);
    expect(connections.size).toBe(0);
  });

  it('starts a new heartbeat timer when a stream opens after all had closed', async () => {
    const hub = await countingHub();
    const connections = new Connections({ ...LIMITS, heartbeatMs: 1_000 });
    await openStream(connections, hub).cancel();
    expect(vi.getTimerCount()).toBe(0);

    const reader = openStream(connections, hub);
    await skipPreamble(reader, hub);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    await reader.cancel();
  });

  it('releases the subscription and the stream when the reader cancels, and the others carry on', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const other = openStream(connections, hub);
    const reader = openStream(connections, hub);
    await skipPreamble(reader, hub);
    await skipPreamble(other, hub);
    expect(hub.subscribers).toBe(2);
    expect(connections.size).toBe(2);

    await reader.cancel();

    expect(hub.subscribers).toBe(1);
    expect(connections.size).toBe(1);
    const published = await hub.publish(deletedEvent(3));
    expect(await nextChunk(other)).toEqual(encodeEvent(published));
    await other.cancel();
    expect(hub.subscribers).toBe(0);
    expect(connections.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds nothing for a stream cancelled before its subscription was made', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const reader = openStream(connections, hub);

    // The stream's start is still waiting for hub.subscribe() to resolve.
    await reader.cancel();
    await settle();

    expect(hub.subscribers).toBe(0);
    expect(connections.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await expect(hub.publish(deletedEvent(1))).resolves.toMatchObject({ id: 1 });
  });

  it('refuses a stream past maxConnections, counts it, and accepts one again once a stream closes', async () => {
    const hub = await countingHub();
    const connections = new Connections({ ...LIMITS, maxConnections: 2 });
    const first = openStream(connections, hub);
    openStream(connections, hub);

    expect(connections.open(hub, undefined)).toBeNull();
    expect(connections.open(hub, undefined)).toBeNull();
    expect(connections.refused).toBe(2);
    expect(connections.size).toBe(2);

    await first.cancel();
    const again = openStream(connections, hub);
    await skipPreamble(again, hub);
    expect(connections.refused).toBe(2);
    expect(connections.size).toBe(2);
  });

  it('drops a stream whose client stops reading once its queue passes maxQueueBytes, and only that one', async () => {
    const hub = await countingHub();
    const maxQueueBytes = 2_048;
    const connections = new Connections({ ...LIMITS, maxQueueBytes });
    const stalled = openStream(connections, hub); // never read until the end
    const reading = openStream(connections, hub);
    const received: Uint8Array[] = [];
    const pump = (async () => {
      for (;;) {
        const { done, value } = await reading.read();
        if (done) return;
        received.push(value);
      }
    })();

    // What the stalled stream has queued: its preamble, then every event published so far.
    let queued = RETRY.byteLength + connected(hub.lastEventId).byteLength;
    const published: HubEvent[] = [];
    while (queued <= maxQueueBytes) {
      expect(connections.slowConsumersDropped).toBe(0);
      expect(connections.size).toBe(2);
      const event = await hub.publish({ type: 'user_created', user: user(published.length + 1) });
      published.push(event);
      queued += encodeEvent(event).byteLength;
      await settle();
    }

    expect(connections.slowConsumersDropped).toBe(1);
    expect(connections.size).toBe(1);
    expect(hub.subscribers).toBe(1);
    await expect(stalled.read()).rejects.toThrow('SSE client too slow');

    const after = await hub.publish(deletedEvent(1));
    await settle();
    await reading.cancel();
    await pump;
    expect(received).toEqual([RETRY, connected(START), ...[...published, after].map(encodeEvent)]);
    expect(hub.subscribers).toBe(0);
  });

  it('does not drop a client for its replay, and gives a stalled one its replay plus maxQueueBytes of live events', async () => {
    const hub = await countingHub();
    const maxQueueBytes = 1_024;
    const connections = new Connections({ ...LIMITS, maxQueueBytes });
    const missed: HubEvent[] = [];
    for (let i = 1; i <= 10; i++) missed.push(await hub.publish({ type: 'user_created', user: user(i) }));
    const replayBytes = missed.reduce((sum, event) => sum + encodeEvent(event).byteLength, 0);
    expect(replayBytes).toBeGreaterThan(2 * maxQueueBytes);

    // Both reconnect having missed all ten events; one reads, the other never does.
    const reconnected = openStream(connections, hub, START);
    const stalled = openStream(connections, hub, START);
    await settle();

    // The replays were queued at once and both are over the bound, yet nobody was dropped for it.
    expect(connections.slowConsumersDropped).toBe(0);
    expect(connections.size).toBe(2);
    await skipPreamble(reconnected, hub);
    for (const event of missed) expect(await nextChunk(reconnected)).toEqual(encodeEvent(event));

    // Live sends are what a client must keep up with: the stalled one goes once what it has
    // queued passes its replay plus maxQueueBytes; the reading one gets every event.
    let queued = RETRY.byteLength + connected(hub.lastEventId).byteLength + replayBytes;
    let id = 0;
    while (queued <= maxQueueBytes + replayBytes) {
      expect(connections.slowConsumersDropped).toBe(0);
      const live = await hub.publish(deletedEvent(++id));
      queued += encodeEvent(live).byteLength;
      expect(await nextChunk(reconnected)).toEqual(encodeEvent(live));
    }
    expect(connections.slowConsumersDropped).toBe(1);
    expect(connections.size).toBe(1);
    expect(hub.subscribers).toBe(1);
    await expect(stalled.read()).rejects.toThrow('SSE client too slow');

    const later = await hub.publish(deletedEvent(++id));
    expect(await nextChunk(reconnected)).toEqual(encodeEvent(later));
    await reconnected.cancel();
    expect(connections.size).toBe(0);
  });

  it('ends a stream with an expired event when its session ends, and says why', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const reasons: string[] = [];
    const body = connections.open(hub, undefined, { expiresAt: Date.now() + 10_000, onClose: (reason) => reasons.push(reason) });
    const endless = openStream(connections, hub); // no session: never expires
    if (!body) throw new Error('open() refused the stream');
    const reader = body.getReader();
    await skipPreamble(reader, hub);
    await skipPreamble(endless, hub);

    vi.advanceTimersByTime(9_900);
    const published = await hub.publish(deletedEvent(1));
    expect(await nextChunk(reader)).toEqual(encodeEvent(published));
    expect(reasons).toEqual([]);

    vi.advanceTimersByTime(100);
    expect(await nextChunk(reader)).toEqual(EXPIRED);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    expect(reasons).toEqual(['expired']);
    expect(connections.size).toBe(1);
    expect(hub.subscribers).toBe(1);
    expect(await nextChunk(endless)).toEqual(encodeEvent(published));
    await endless.cancel();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the streams of ended sessions with an expired event, and leaves the others open', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const reasons: string[] = [];
    const open = (sessionId: string | null) => {
      const body = connections.open(hub, undefined, { sessionId, onClose: (reason) => reasons.push(`${sessionId}:${reason}`) });
      if (!body) throw new Error('open() refused the stream');
      return body.getReader();
    };
    const [a1, a2, b, token] = [open('a'), open('a'), open('b'), open(null)];
    for (const reader of [a1, a2, b, token]) await skipPreamble(reader, hub);
    expect(connections.sessionIds().sort()).toEqual(['a', 'b']);

    connections.endSessions(['a', 'unknown']);
    for (const reader of [a1, a2]) {
      expect(await nextChunk(reader)).toEqual(EXPIRED);
      expect(await reader.read()).toEqual({ done: true, value: undefined });
    }
    expect(reasons).toEqual(['a:signed-out', 'a:signed-out']);
    expect(connections.sessionIds()).toEqual(['b']);

    connections.endSessions('all');
    expect(await nextChunk(b)).toEqual(EXPIRED);
    expect(connections.size).toBe(1); // the token's stream belongs to no session
    const published = await hub.publish(deletedEvent(1));
    expect(await nextChunk(token)).toEqual(encodeEvent(published));
    expect(hub.subscribers).toBe(1);
    await token.cancel();
  });

  it('knows which sessions have a stream open, until the last of each session\'s streams closes', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const open = (sessionId: string | null) => connections.open(hub, undefined, { sessionId })!.getReader();
    const [a1, a2, token] = [open('a'), open('a'), open(null)];
    for (const reader of [a1, a2, token]) await skipPreamble(reader, hub);
    expect([connections.hasSession('a'), connections.hasSession('b')]).toEqual([true, false]);

    await a1.cancel();
    expect(connections.hasSession('a')).toBe(true);
    await a2.cancel();
    expect(connections.hasSession('a')).toBe(false);
    expect(connections.sessionIds()).toEqual([]);
    // A session whose stream was refused (no room) has none either.
    const full = new Connections({ ...LIMITS, maxConnections: 0 });
    expect(full.open(hub, undefined, { sessionId: 'c' })).toBeNull();
    expect(full.hasSession('c')).toBe(false);
    await token.cancel();
  });

  it('on shutdown sends every stream a shutdown event, closes them all, and refuses new ones', async () => {
    const hub = await countingHub();
    const connections = new Connections({ ...LIMITS, heartbeatMs: 1_000 });
    const readers = [openStream(connections, hub), openStream(connections, hub)];
    for (const reader of readers) await skipPreamble(reader, hub);

    connections.shutdown();

    for (const reader of readers) {
      expect(await nextChunk(reader)).toEqual(SHUTDOWN);
      expect(await reader.read()).toEqual({ done: true, value: undefined });
    }
    expect(connections.size).toBe(0);
    expect(hub.subscribers).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(connections.open(hub, undefined)).toBeNull();
    expect(connections.refused).toBe(1);
  });

  it('on shutdown still delivers what a slow client had queued before the shutdown event', async () => {
    const hub = await countingHub();
    const connections = new Connections(LIMITS);
    const reader = openStream(connections, hub);
    const event = await hub.publish(deletedEvent(7));

    connections.shutdown();

    expect(await nextChunk(reader)).toEqual(RETRY);
    expect(await nextChunk(reader)).toEqual(connected(START));
    expect(await nextChunk(reader)).toEqual(encodeEvent(event));
    expect(await nextChunk(reader)).toEqual(SHUTDOWN);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
  });
});
