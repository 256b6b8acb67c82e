import 'server-only';
import { logger } from '@/lib/server/logger';
import { traced } from '@/lib/server/tracing';
import type { Bus } from './bus';
import type { EventHub, Send, Subscription } from './hub';
import type { EventLog, LoggedEvent } from './event-log';
import { encodeEvent, resyncFrame } from './sse';
import type { HubEvent } from '@/lib/shared/dto';

/** `at`: when the event was committed (the log's time; when read, for a log that has none). */
type Entry = { eventId: number; frame: Uint8Array; at: number };
type Listener = (entry: Entry) => void;

export type LogHubOptions = {
  /** Newest events kept in memory for replay (EVENT_LOG_SIZE). */
  windowSize: number;
  /** How often the log is read when no bell rings: the bound on delivery when a ring is lost (0: never, for tests). */
  pollMs: number;
  /** Most events a reconnecting client is replayed from the database; past it, `resync`. */
  replayLimit: number;
};

const READ_BATCH = 500;

/**
 * The hub: every instance reads the event log itself, in id order, and fans each event out to its
 * own streams; the bus only rings the bell (read now). No instance publishes for another, so
 * none can lose an event for the rest by dying between its commit and its publish, and no two
 * instances can append out of order: there is one order, the log's. The newest `windowSize`
 * events stay in memory for replay; older ones are replayed from the database.
 */
export class LogHub implements EventHub {
  readonly #listeners = new Set<Listener>();
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

  ring(): Promise<void> {
    // Not awaited: this instance's read goes on meanwhile (the write's `fan-out` span).
    void traced('ring', () => this.bus.publish('events', this.#id).catch(() => undefined)); // the others poll; the bus logs the outage
    return this.#read();
  }

  async subscribe(send: Send, after?: number): Promise<Subscription> {
    let floor = after ?? 0;
    let deliver: Listener = (entry) => {
      if (entry.eventId > floor) send(entry.frame);
    };
    const listener: Listener = (entry) => deliver(entry);
    const unsubscribe = () => void this.#listeners.delete(listener);
    const resync = (): Subscription => {
      send(resyncFrame(this.#readUpTo));
      floor = this.#readUpTo;
      this.#listeners.add(listener);
      return { resync: true, unsubscribe };
    };
    if (after === undefined) {
      this.#listeners.add(listener);
      return { resync: false, unsubscribe };
    }
    if (!Number.isSafeInteger(after) || after < 0) return resync();
    // An id ahead of this instance (a page read from the database a moment ago): catch up first.
    if (after > this.#readUpTo) await this.#read();
    if (after > this.#readUpTo) return resync();

    const windowFloor = this.#window.length > 0 ? this.#window[0]!.eventId - 1 : this.#readUpTo;
    if (after >= windowFloor) {
      // Replay and registration in one synchronous step: no event can slip in between.
      for (const entry of this.#window) if (entry.eventId > after) send(entry.frame, true);
      this.#listeners.add(listener);
      return { resync: false, unsubscribe };
    }

    // Older than memory: from the database, holding live events back until the replay is out.
    const held: Entry[] = [];
    const live = deliver;
    deliver = (entry) => void held.push(entry);
    this.#listeners.add(listener);
    const missed = await this.#since(after);
    deliver = live;
    if (missed === null) {
      this.#listeners.delete(listener);
      return resync();
    }
    for (const event of missed) {
      send(encodeEvent(event), true);
      floor = event.eventId;
    }
    for (const entry of held) deliver(entry);
    return { resync: false, unsubscribe };
  }

  get lastEventId(): number {
    return this.#readUpTo;
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

  #deliver(event: LoggedEvent): void {
    if (event.eventId <= this.#readUpTo) return;
    this.#readUpTo = event.eventId;
    const entry = { eventId: event.eventId, frame: encodeEvent(event), at: event.committedAt ?? Date.now() };
    this.#window.push(entry);
    // Trim in batches: one splice per `windowSize` entries rather than a shift per entry.
    if (this.#window.length > 2 * this.options.windowSize) this.#window.splice(0, this.#window.length - this.options.windowSize);
    if (this.options.windowSize === 0) this.#window.length = 0;
    this.#delivered++;
    for (const listener of this.#listeners) {
      try {
        listener(entry);
      } catch {
        this.#listeners.delete(listener); // one broken subscriber must not stop delivery to the rest
      }
    }
  }
}
