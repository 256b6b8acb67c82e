import 'server-only';
import type { EventHub, Send, SessionsEnded, Subscription } from './hub';
import { encodeEvent, resyncFrame } from './sse';
import type { HubEvent, UserEvent } from '../dto';

type Entry = { eventId: number; frame: Uint8Array };

/**
 * The default hub: subscribers live in this process, and the newest `logSize` events stay in a
 * ring buffer so a client that reconnects with its last id gets what it missed.
 */
export class MemoryHub implements EventHub {
  readonly #subscribers = new Set<Send>();
  readonly #log: (Entry | undefined)[];
  #lastEventId: number;
  #published = 0;

  // Ids start from the clock (in microseconds) rather than 0, so they keep increasing across a
  // restart and an id from before it is recognised as unknown instead of being mistaken for a new one.
  constructor(readonly logSize: number, start = Date.now() * 1000) {
    this.#log = new Array<Entry | undefined>(logSize);
    this.#lastEventId = start;
  }

  async publish(event: UserEvent): Promise<HubEvent> {
    const published: HubEvent = { ...event, eventId: ++this.#lastEventId };
    const frame = encodeEvent(published);
    this.#published++;
    if (this.logSize > 0) this.#log[published.eventId % this.logSize] = { eventId: published.eventId, frame };
    for (const send of this.#subscribers) {
      try {
        send(frame);
      } catch {
        this.#subscribers.delete(send); // one broken subscriber must not stop delivery to the rest
      }
    }
    return published;
  }

  async subscribe(send: Send, after?: number): Promise<Subscription> {
    const unsubscribe = () => void this.#subscribers.delete(send);
    const missed = after === undefined ? [] : this.#since(after);
    // Replay and registration happen in one synchronous step: no event can slip in between.
    if (missed) for (const entry of missed) send(entry.frame, true);
    else send(resyncFrame(this.#lastEventId));
    this.#subscribers.add(send);
    return { resync: missed === null, unsubscribe };
  }

  /** The entries after `after`, oldest first; null when `after` is unknown or already evicted. */
  #since(after: number): Entry[] | null {
    const count = this.#lastEventId - after;
    // More missed events than the log holds: evicted, without walking the log to find out.
    if (!Number.isSafeInteger(after) || count < 0 || count > this.logSize) return null;
    const entries: Entry[] = [];
    for (let id = after + 1; id <= this.#lastEventId; id++) {
      const entry = this.#log[id % this.logSize];
      if (entry?.eventId !== id) return null;
      entries.push(entry);
    }
    return entries;
  }

  get lastEventId(): number {
    return this.#lastEventId;
  }

  get eventsPublished(): number {
    return this.#published;
  }

  readonly #sessionListeners: ((ended: SessionsEnded) => void)[] = [];

  async endSessions(ended: SessionsEnded): Promise<void> {
    for (const listener of this.#sessionListeners) listener(ended);
  }

  onSessionsEnded(listener: (ended: SessionsEnded) => void): void {
    this.#sessionListeners.push(listener);
  }

  /** Nothing between publisher and subscribers can fail. */
  readonly degraded = false;

  async start(): Promise<void> {}

  close(): void {}
}
