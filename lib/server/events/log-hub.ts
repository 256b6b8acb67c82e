import 'server-only';
import { logger } from '@/lib/server/logger';
import { traced } from '@/lib/server/tracing';
import type { Bus } from './bus';
import type { EventHub, Send, Subscription } from './hub';
import type { EventLog, LoggedEvent } from './event-log';
import { inSlices, SLICE_MS } from './slices';
import { encodeEvent, resyncFrame } from './sse';
import type { HubEvent } from '@/lib/shared/dto';

/** `at`: when the event was committed (the log's time; when read, for a log that has none). */
type Entry = { eventId: number; frame: Uint8Array; at: number };

/** A stream's subscription: one object, no closures, since an instance holds 10,000. */
type Listener = {
  send: Send;
  /** The newest event sent to it: it is sent only newer ones, so each once and in id order. */
  floor: number;
  /** Whose stream it is (a session): a writer's own streams get the write before the writer's answer. */
  owner: string | null;
  /** Live events held back while an older replay is read from the database; null once live. */
  held: Entry[] | null;
  closed: boolean;
};

export type LogHubOptions = {
  /** Newest events kept in memory for replay (EVENT_LOG_SIZE). */
  windowSize: number;
  /** How often the log is read when no bell rings: the bound on delivery when a ring is lost (0: never, for tests). */
  pollMs: number;
  /** Most events a reconnecting client is replayed from the database; past it, `resync`. */
  replayLimit: number;
};

const READ_BATCH = 500;
/** A writer's own streams served before the answer, at most: one browser holds one (its tabs share it). */
const WRITER_STREAMS_FIRST = 8;
/** Longest rest between two walks in a burst (see #walk). */
const MAX_REST_MS = 100;

/**
 * The hub: every instance reads the event log itself, in id order, and fans each event out to its
 * own streams; the bus only rings the bell (read now). No instance publishes for another, so
 * none can lose an event for the rest by dying between its commit and its publish, and no two
 * instances can append out of order: there is one order, the log's. The newest `windowSize`
 * events stay in memory for replay; older ones are replayed from the database.
 *
 * The fan-out walks the streams in slices of a few milliseconds (slices.ts), so the rest of the
 * instance (pages, the API, the writer's own answer) waits for one slice at most, not for 10,000
 * writes. Each stream is brought up to date as the walk reaches it, with every event read since
 * the last walk finished (a burst goes out in one walk, as one write), newer than the last one it was sent: so
 * every stream still gets every event, once, in id order, whether it opened, closed or caught up
 * meanwhile. The writer's own streams are brought up to date before `ring` returns.
 */
export class LogHub implements EventHub {
  readonly #listeners = new Set<Listener>();
  /** Each owner's streams: a write reaches its writer's own tabs first. */
  readonly #byOwner = new Map<string, Set<Listener>>();
  /** Events read since the last walk over every stream finished: what a stream is brought up to date with. */
  #pending: Entry[] = [];
  /** The pending events' frames joined, for the ids they span. */
  #joined: { first: number; last: number; frame: Uint8Array } | null = null;
  #walking = false;
  /** The newest events delivered, oldest first: every event after window[0] - 1 is here. */
  #window: Entry[] = [];
  /** The id of the newest event read from the log and delivered. */
  #readUpTo = 0;
  #delivered = 0;
  #reading: Promise<void> | null = null;
  #readAgain = false;
  #failing = false;
  #poll: ReturnType<typeof setInterval> | undefined;
  /** Names this instance's rings on the bus. */
  readonly #id = crypto.randomUUID();

  constructor(
    private readonly events: EventLog,
    private readonly bus: Bus,
    readonly options: LogHubOptions,
  ) {}

  async start(): Promise<void> {
    // The bus hands a ring back to its sender too; the sender has read already.
    this.bus.subscribe('events', (sender) => {
      if (sender !== this.#id) void this.#read();
    });
    await this.bus.start();
    const newest = await this.events.newest(this.options.windowSize);
    this.#window = newest.map((event) => ({ eventId: event.eventId, frame: encodeEvent(event), at: event.committedAt ?? Date.now() }));
    this.#readUpTo = newest.at(-1)?.eventId ?? 0;
    if (this.options.pollMs > 0) {
      this.#poll = setInterval(() => void this.#read(), this.options.pollMs);
      this.#poll.unref?.();
    }
  }

  close(): void {
    clearInterval(this.#poll);
    this.bus.close();
  }

  async ring(writer?: string): Promise<void> {
    // Not awaited: this instance's read goes on meanwhile (the write's `fan-out` span).
    void traced('ring', () => this.bus.publish('events', this.#id).catch(() => undefined)); // the others poll; the bus logs the outage
    await this.#read();
    // Read-your-writes in the writer's tabs (a browser shares one stream among its tabs): the rest
    // of the streams get it in the walk's slices. A few at most here, whatever one session holds.
    let first = 0;
    for (const listener of (writer && this.#byOwner.get(writer)) || []) {
      if (first++ === WRITER_STREAMS_FIRST) break;
      this.#catchUp(listener);
    }
  }

  async subscribe(send: Send, after?: number, owner: string | null = null): Promise<Subscription> {
    const listener: Listener = { send, floor: this.#readUpTo, owner, held: null, closed: false };
    const unsubscribe = () => this.#remove(listener);
    const resync = (): Subscription => {
      send(resyncFrame(this.#readUpTo));
      Object.assign(listener, { floor: this.#readUpTo, held: null, closed: false });
      this.#add(listener);
      return { resync: true, unsubscribe };
    };
    if (after === undefined) {
      this.#add(listener);
      return { resync: false, unsubscribe };
    }
    if (!Number.isSafeInteger(after) || after < 0) return resync();
    // An id ahead of this instance (a page read from the database a moment ago): catch up first.
    if (after > this.#readUpTo) await this.#read();
    if (after > this.#readUpTo) return resync();

    listener.floor = after;
    const windowFloor = this.#window.length > 0 ? this.#window[0]!.eventId - 1 : this.#readUpTo;
    if (after >= windowFloor) {
      // Replay and registration in one synchronous step: no event can slip in between.
      for (const entry of this.#window) {
        if (entry.eventId <= after) continue;
        send(entry.frame, true);
        listener.floor = entry.eventId;
      }
      this.#add(listener);
      return { resync: false, unsubscribe };
    }

    // Older than memory: from the database, holding live events back until the replay is out.
    listener.held = [];
    this.#add(listener);
    const missed = await this.#since(after);
    const held = listener.held;
    listener.held = null;
    if (missed === null) {
      this.#remove(listener);
      return resync();
    }
    for (const event of missed) {
      if (event.eventId <= listener.floor) continue;
      send(encodeEvent(event), true);
      listener.floor = event.eventId;
    }
    for (const entry of held) this.#sendTo(listener, entry);
    return { resync: false, unsubscribe };
  }

  get lastEventId(): number {
    return this.#readUpTo;
  }

  /** Streams subscribed now. */
  get subscribers(): number {
    return this.#listeners.size;
  }

  get eventsPublished(): number {
    return this.#delivered;
  }

  get degraded(): boolean {
    return this.bus.degraded;
  }

  committedAt(eventId: number): number | undefined {
    // The window is in id order: a binary search.
    let low = 0;
    let high = this.#window.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const entry = this.#window[middle]!;
      if (entry.eventId === eventId) return entry.at;
      if (entry.eventId < eventId) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }

  /** The events after `after` from the database; null when they are gone or too many to replay. */
  async #since(after: number): Promise<HubEvent[] | null> {
    try {
      const oldest = await this.events.oldestId();
      // Pruning removes the oldest first: while `after + 1` is not older than what is kept, nothing after it is gone.
      if (oldest === null || after + 1 < oldest) return null;
      const missed = await this.events.after(after, this.options.replayLimit + 1);
      return missed.length > this.options.replayLimit ? null : missed;
    } catch (error) {
      logger.warn({ err: error }, 'replay from the event log failed: the client resyncs');
      return null;
    }
  }

  /**
   * Reads what the log holds past #readUpTo and delivers it. One read at a time; a ring during a
   * read makes it read once more, so no event committed before a ring waits for the next poll.
   */
  #read(): Promise<void> {
    if (this.#reading) {
      this.#readAgain = true;
      return this.#reading;
    }
    // In a write, its `fan-out` span: what this read delivered, and to how many streams.
    this.#reading = traced('fan-out', async (span) => {
      const delivered = this.#delivered;
      try {
        do {
          this.#readAgain = false;
          for (let batch = await this.events.after(this.#readUpTo, READ_BATCH); ; batch = await this.events.after(this.#readUpTo, READ_BATCH)) {
            for (const event of batch) this.#deliver(event);
            this.#walk();
            if (batch.length < READ_BATCH) break;
          }
        } while (this.#readAgain);
        if (this.#failing) logger.info('event log readable again');
        this.#failing = false;
      } catch (error) {
        if (!this.#failing) logger.error({ err: error }, 'event log unreadable: live updates wait for the database');
        this.#failing = true;
      } finally {
        this.#reading = null;
        span.setAttributes({ 'roster.event.id': this.#readUpTo, 'roster.events': this.#delivered - delivered, 'roster.streams': this.#listeners.size });
      }
    });
    return this.#reading;
  }

  /** Keeps a newly read event for replay and for the next walk over the streams. */
  #deliver(event: LoggedEvent): void {
    if (event.eventId <= this.#readUpTo) return;
    this.#readUpTo = event.eventId;
    const entry = { eventId: event.eventId, frame: encodeEvent(event), at: event.committedAt ?? Date.now() };
    this.#window.push(entry);
    // Trim in batches: one splice per `windowSize` entries rather than a shift per entry.
    if (this.#window.length > 2 * this.options.windowSize) this.#window.splice(0, this.#window.length - this.options.windowSize);
    if (this.options.windowSize === 0) this.#window.length = 0;
    this.#pending.push(entry);
    this.#delivered++;
  }

  /**
   * Brings every stream up to date, in slices; when done, the events every stream now has are let
   * go, and a walk starts again if more were read meanwhile. A stream opened during a walk is
   * reached at its end (a Set's iterator reaches what is added), or already has them (replay).
   */
  #walk(): void {
    if (this.#walking || this.#pending.length === 0) return;
    this.#walking = true;
    const upTo = this.#readUpTo;
    const started = performance.now();
    inSlices(
      this.#listeners.values(),
      (listener) => this.#catchUp(listener),
      () => {
        const newer = this.#pending.findIndex((entry) => entry.eventId > upTo);
        this.#pending = newer === -1 ? [] : this.#pending.slice(newer);
        if (this.#pending.length < 2) this.#joined = null;
        // Events read during a walk that took several slices (a burst, at thousands of streams):
        // the next walk rests as long as this one took, so the fan-out has at most about half of
        // the event loop and the next walk carries every event read meanwhile in one write each.
        const took = performance.now() - started;
        const rest = this.#pending.length > 0 && took > SLICE_MS ? Math.min(took, MAX_REST_MS) : 0;
        if (rest === 0) return this.#walkAgain();
        setTimeout(() => this.#walkAgain(), rest);
      },
    );
  }

  #walkAgain(): void {
    this.#walking = false;
    this.#walk();
  }

  #catchUp(listener: Listener): void {
    const pending = this.#pending;
    // A stream that has none of several pending events (a burst): all of them in one write, the
    // same bytes for every such stream, instead of a write (a syscall) each.
    if (pending.length > 1 && !listener.closed && listener.held === null && listener.floor < pending[0]!.eventId) {
      listener.floor = pending.at(-1)!.eventId;
      this.#send(listener, this.#pendingJoined());
      return;
    }
    for (const entry of pending) this.#sendTo(listener, entry);
  }

  /** Every pending event's frame, joined once per set of pending events. */
  #pendingJoined(): Uint8Array {
    const first = this.#pending[0]!.eventId;
    const last = this.#pending.at(-1)!.eventId;
    if (this.#joined?.first !== first || this.#joined.last !== last) {
      this.#joined = { first, last, frame: Buffer.concat(this.#pending.map((entry) => entry.frame)) };
    }
    return this.#joined.frame;
  }

  #send(listener: Listener, frame: Uint8Array): void {
    try {
      listener.send(frame);
    } catch {
      this.#remove(listener); // one broken subscriber must not stop delivery to the rest
    }
  }

  #sendTo(listener: Listener, entry: Entry): void {
    if (listener.closed || entry.eventId <= listener.floor) return;
    if (listener.held) {
      if (entry.eventId > (listener.held.at(-1)?.eventId ?? listener.floor)) listener.held.push(entry);
      return;
    }
    listener.floor = entry.eventId;
    this.#send(listener, entry.frame);
  }

  #add(listener: Listener): void {
    this.#listeners.add(listener);
    if (listener.owner === null) return;
    const own = this.#byOwner.get(listener.owner) ?? new Set<Listener>();
    this.#byOwner.set(listener.owner, own.add(listener));
  }

  #remove(listener: Listener): void {
    listener.closed = true;
    this.#listeners.delete(listener);
    if (listener.owner === null) return;
    const own = this.#byOwner.get(listener.owner);
    own?.delete(listener);
    if (own?.size === 0) this.#byOwner.delete(listener.owner);
  }
}
