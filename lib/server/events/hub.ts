import 'server-only';
// The contract of the event hub (log-hub.ts). Routes, actions and components see only this.

/**
 * Receives each event's SSE frame, encoded once per event rather than once per subscriber;
 * `replayed` marks frames sent from the log on subscribing. Must not throw.
 */
export type Send = (frame: Uint8Array, replayed?: boolean) => void;

export type Subscription = {
  /**
   * False: the events after the requested id were sent first, in order. True: that id is unknown
   * or no longer in the log, so nothing was replayed and the client must refetch the list.
   */
  resync: boolean;
  unsubscribe: () => void;
};

export interface EventHub {
  /**
   * A write committed its event to the log: read the log now, here and on every instance.
   * Resolves once this instance has read it and sent it to the streams of `writer` (a session:
   * read-your-writes in the writer's tabs); the other streams get it right after, in slices (log-hub.ts). Never
   * rejects: an instance that does not hear the ring reads the log within a second anyway.
   */
  ring(writer?: string): Promise<void>;
  /**
   * Delivers every event after `after` (when given) and then live ones, with no gap and no
   * duplicate between the two, in id order. `owner`: whose stream it is (a session), so their own
   * writes reach it first.
   */
  subscribe(send: Send, after?: number, owner?: string | null): Promise<Subscription>;
  /** The id of the newest event this instance has delivered (0 before the first). */
  readonly lastEventId: number;
  /** Events this instance has read from the log and delivered since it started. */
  readonly eventsPublished: number;
  /**
   * When the event was committed (ms since the epoch), while it is among the newest kept in memory:
   * what a screen's delivery time is measured from (lib/server/delivery.ts).
   */
  committedAt(eventId: number): number | undefined;
  /** True while instances cannot ring each other (Redis unreachable): delivery falls back to polling. */
  readonly degraded: boolean;
  /** Loads the newest events and connects to the other instances; rejects, saying why, when it cannot. */
  start(): Promise<void>;
  close(): void;
}
