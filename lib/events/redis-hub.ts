import 'server-only';
import type { Redis } from 'ioredis';
import { log } from '@/lib/log';
import { createRedis, type RedisConnection, redisAddress } from '@/lib/redis';
import type { EventHub, Send, SessionsEnded, Subscription } from './hub';
import { APPEND_SCRIPT, parseEntry, type StreamEntry, toEventId, toStreamId } from './redis-stream';
import { encodeEvent, resyncFrame } from './sse';
import type { HubEvent, UserEvent } from '../dto';

export type RedisHubOptions = {
  url: string;
  /** Prefix of every key this hub uses, so several apps (or test runs) can share one Redis. */
  keyPrefix: string;
  /** Events kept for replay, as for the in-process hub. */
  logSize: number;
};

/** How long a publish may wait for Redis before the write it follows moves on without it. */
const COMMAND_TIMEOUT_MS = 2_000;

/** What a subscriber is handed: the entry's frame, or null for an origin entry (nothing to send). */
type Local = { eventId: number; frame: Uint8Array | null; resync: boolean };
type Listener = (entry: Local) => void;

const READ_BLOCK_MS = 5_000;
const READ_BATCH = 1_000;
const RETRY_MS = 500;

/**
 * The hub for several instances: every event goes through one Redis Stream, which gives them one
 * global order and ids that every instance understands. Each instance reads the stream with one
 * blocking XREAD loop and fans each entry out to its own subscribers, keeping the newest entries
 * in memory so most replays never ask Redis. A replay from an id this instance has not seen (an
 * event published before it started, or by an instance it has not read yet) comes from Redis.
 *
 * The database is the truth: when Redis is unreachable, writes still succeed and their events are
 * lost, so once Redis answers again a `resync` marker goes into the stream and every instance
 * tells every client to refetch the list.
 */
export class RedisHub implements EventHub {
  readonly #commands: Redis;
  readonly #reader: Redis;
  /** Subscribed to #sessionsChannel (a subscribed connection can do nothing else). */
  readonly #listener: Redis;
  readonly #connections: RedisConnection[];
  readonly #key: string;
  readonly #sessionsChannel: string;
  readonly #sessionListeners: ((ended: SessionsEnded) => void)[] = [];
  /** Entries the stream keeps: one more than the replay window, since a replay needs the entry its client last saw. */
  readonly #logLength: number;
  readonly #subscribers = new Set<Listener>();
  /** Entries read from the stream, oldest first, without gaps: the newest is the cursor. */
  #log: Local[] = [];
  #lastEventId = 0;
  #published = 0;
  /**
   * Redis failed (a publish, a read or a replay) since the last resync marker: an event may have
   * been lost. The hub is degraded until the read loop has appended the marker.
   */
  #lost = false;
  #running = false;
  #started: Promise<void> | undefined;

  constructor(readonly options: RedisHubOptions) {
    // Blocking reads get a connection of their own, so they never hold up a publish.
    const [commands, reader, listener] = [createRedis(options.url, COMMAND_TIMEOUT_MS), createRedis(options.url), createRedis(options.url)];
    this.#connections = [commands, reader, listener];
    this.#commands = commands.client;
    this.#reader = reader.client;
    this.#listener = listener.client;
    this.#commands.defineCommand('rosterAppend', { numberOfKeys: 1, lua: APPEND_SCRIPT });
    this.#key = `${options.keyPrefix}events`;
    // Sessions that end are news, not history: pub/sub, outside the event stream and its replay.
    this.#sessionsChannel = `${options.keyPrefix}sessions-ended`;
    this.#listener.on('message', (_channel: string, message: string) => {
      try {
        this.#sessionsEnded(JSON.parse(message) as SessionsEnded);
      } catch (error) {
        log.warn({ err: error }, 'unreadable ended-sessions message ignored');
      }
    });
    this.#logLength = Math.max(1, options.logSize) + 1;
  }

  /** Connects and loads the newest entries; throws (with Redis's address) when Redis is unreachable. */
  start(): Promise<void> {
    this.#started ??= this.#start();
    return this.#started;
  }

  async #start(): Promise<void> {
    try {
      await Promise.all(this.#connections.map((connection) => connection.connect()));
      await this.#listener.subscribe(this.#sessionsChannel);
      await this.#loadTail(await this.#append('', ''));
    } catch (error) {
      this.close();
      throw error;
    }
    this.#running = true;
    void this.#readLoop();
  }

  close(): void {
    this.#running = false;
    for (const connection of this.#connections) connection.client.disconnect();
  }

  async endSessions(ended: SessionsEnded): Promise<void> {
    try {
      await this.#commands.publish(this.#sessionsChannel, JSON.stringify(ended));
    } catch (error) {
      // Other instances refuse the session within a second anyway, and sweep its streams.
      log.warn({ err: error, redis: redisAddress(this.options.url) }, 'ended sessions not announced (redis): this instance ends them');
      this.#sessionsEnded(ended);
    }
  }

  onSessionsEnded(listener: (ended: SessionsEnded) => void): void {
    this.#sessionListeners.push(listener);
  }

  #sessionsEnded(ended: SessionsEnded): void {
    for (const listener of this.#sessionListeners) listener(ended);
  }

  async publish(event: UserEvent): Promise<HubEvent | null> {
    try {
      const id = await this.#append('event', JSON.stringify(event));
      this.#published++;
      // Subscribers here get it from the read loop, like everyone else's: one order for all.
      return { ...event, eventId: toEventId(id) };
    } catch (error) {
      this.#fail(error, 'publish');
      return null;
    }
  }

  async subscribe(send: Send, after?: number): Promise<Subscription> {
    let floor = after ?? 0;
    let deliver: Listener = (entry) => {
      if (entry.frame && (entry.resync || entry.eventId > floor)) send(entry.frame);
    };
    const listener: Listener = (entry) => deliver(entry);
    const unsubscribe = () => void this.#subscribers.delete(listener);
    const resync = (): Subscription => {
      send(resyncFrame(this.#lastEventId));
      floor = this.#lastEventId;
      return { resync: true, unsubscribe };
    };
    if (after === undefined) {
      this.#subscribers.add(listener);
      return { resync: false, unsubscribe };
    }

    const local = this.#localSince(after);
    if (local !== undefined) {
      // Replay and registration in one synchronous step: no entry can slip in between.
      this.#subscribers.add(listener);
      if (local === null) return resync();
      for (const entry of local) if (entry.frame) send(entry.frame, true);
      return { resync: false, unsubscribe };
    }

    // Not in this instance's memory: ask Redis, holding live entries back until the replay is out.
    const held: Local[] = [];
    const live = deliver;
    deliver = (entry) => void held.push(entry);
    this.#subscribers.add(listener);
    const missed = await this.#remoteSince(after);
    deliver = live;
    if (missed === null) return resync();
    for (const entry of missed) {
      if (entry.frame) send(entry.frame, true);
      floor = entry.eventId;
    }
    for (const entry of held) deliver(entry);
    return { resync: false, unsubscribe };
  }

  get lastEventId(): number {
    return this.#lastEventId;
  }

  get eventsPublished(): number {
    return this.#published;
  }

  get degraded(): boolean {
    return this.#lost;
  }

  /**
   * The entries after `after` from memory; null when they cannot be replayed (evicted, unknown,
   * or past a resync marker); undefined when memory cannot tell and Redis must be asked.
   */
  #localSince(after: number): Local[] | null | undefined {
    if (!Number.isSafeInteger(after)) return null;
    if (after === this.#lastEventId) return [];
    const oldest = this.#log[0];
    if (after > this.#lastEventId || !oldest || after < oldest.eventId) return undefined;
    const at = this.#indexOf(after);
    if (at === -1) return null; // within what this instance has read, yet never an entry
    const since = this.#log.slice(at + 1);
    return since.some((entry) => entry.resync) ? null : since;
  }

  async #remoteSince(after: number): Promise<Local[] | null> {
    try {
      const start = toStreamId(after);
      const rows = await this.#commands.xrange(this.#key, start, '+', 'COUNT', this.#logLength + 1);
      if (rows[0]?.[0] !== start) return null; // evicted, or never an id of this stream
      const since = rows.slice(1).map(([id, fields]) => this.#toLocal(parseEntry(id, fields)));
      return since.some((entry) => entry === null || entry.resync) ? null : (since as Local[]);
    } catch (error) {
      this.#fail(error, 'replay');
      return null;
    }
  }

  #indexOf(eventId: number): number {
    let low = 0;
    let high = this.#log.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const id = this.#log[mid]!.eventId; // mid is within [0, length)
      if (id === eventId) return mid;
      if (id < eventId) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  #toLocal(entry: StreamEntry | null): Local | null {
    if (!entry) return null;
    const { eventId, kind } = entry;
    if (kind === 'event') return { eventId, frame: encodeEvent({ ...entry.event, eventId }), resync: false };
    return { eventId, frame: kind === 'resync' ? resyncFrame(eventId) : null, resync: kind === 'resync' };
  }

  #append(field: '' | 'event' | 'resync', value: string): Promise<string> {
    const commands = this.#commands as Redis & {
      rosterAppend(key: string, maxLength: string, field: string, value: string): Promise<string>;
    };
    return commands.rosterAppend(this.#key, String(this.#logLength), field, value);
  }

  /** Starts memory over from the stream's newest entries, ending at `lastId`. */
  async #loadTail(lastId: string): Promise<void> {
    const rows = await this.#commands.xrevrange(this.#key, lastId, '-', 'COUNT', this.#logLength);
    const entries = rows.reverse().map(([id, fields]) => this.#toLocal(parseEntry(id, fields)));
    this.#log = entries.filter((entry): entry is Local => entry !== null);
    this.#lastEventId = toEventId(lastId);
  }

  /**
   * Reads the stream from the cursor. XRANGE from the cursor itself (inclusive) both fetches what
   * is new and proves nothing was trimmed unread: trimming removes the oldest entries first, so
   * while the cursor entry exists, everything after it does too. XREAD BLOCK only waits.
   */
  async #readLoop(): Promise<void> {
    while (this.#running) {
      try {
        if (this.#lost) await this.#recover();
        const cursor = toStreamId(this.#lastEventId);
        const rows = await this.#reader.xrange(this.#key, cursor, '+', 'COUNT', READ_BATCH + 1);
        if (rows[0]?.[0] !== cursor) {
          await this.#restart();
          continue;
        }
        for (const [id, fields] of rows.slice(1)) this.#deliver(this.#toLocal(parseEntry(id, fields)));
        if (rows.length === 1) await this.#reader.xread('COUNT', 1, 'BLOCK', READ_BLOCK_MS, 'STREAMS', this.#key, cursor);
      } catch (error) {
        if (!this.#running) return;
        this.#fail(error, 'read');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  /** Redis answers again: whatever was lost meanwhile, every client of every instance refetches. */
  async #recover(): Promise<void> {
    await this.#append('resync', '1');
    this.#lost = false;
    log.info({ redis: redisAddress(this.options.url) }, 'redis reachable again: clients resync');
  }

  /**
   * The cursor entry is gone: trimmed before this instance read past it, or Redis lost the
   * stream. Start over from the newest entries and have this instance's clients refetch.
   */
  async #restart(): Promise<void> {
    await this.#loadTail(await this.#append('', ''));
    log.warn({ lastEventId: this.#lastEventId }, 'event stream has a gap: clients resync');
    const frame = resyncFrame(this.#lastEventId);
    this.#dispatch({ eventId: this.#lastEventId, frame, resync: true });
  }

  #deliver(local: Local | null): void {
    if (!local || local.eventId <= this.#lastEventId) return;
    this.#lastEventId = local.eventId;
    this.#log.push(local);
    // Trim in batches: one splice per `logSize` entries rather than a shift per entry.
    if (this.#log.length > 2 * this.#logLength) this.#log.splice(0, this.#log.length - this.#logLength);
    this.#dispatch(local);
  }

  #dispatch(local: Local): void {
    for (const listener of this.#subscribers) {
      try {
        listener(local);
      } catch {
        this.#subscribers.delete(listener); // one broken subscriber must not stop delivery to the rest
      }
    }
  }

  #fail(error: unknown, during: string): void {
    if (this.#lost) return; // logged when the outage began
    this.#lost = true;
    log.error({ err: error, during, redis: redisAddress(this.options.url) }, 'redis unreachable: events are not delivered until it returns');
  }
}
