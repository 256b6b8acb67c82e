// The contract every event hub backend keeps: the in-process one (memory-hub.ts) and Redis
// (redis-hub.ts). Routes, actions and components see only this.
import type { HubEvent, UserEvent } from '../dto';

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

/** Session ids (hashes, never cookies), or every session. */
export type SessionsEnded = string[] | 'all';

export interface EventHub {
  /**
   * Gives the event the next id and delivers it. Call only after the database write committed.
   * Never throws: null when the event could not be sent (the hub's transport is down) — the write
   * stands, and the hub has its clients resync once it can.
   */
  publish(event: UserEvent): Promise<HubEvent | null>;
  /**
   * Delivers every event after `after` (when given) and then live ones, with no gap and no
   * duplicate between the two.
   */
  subscribe(send: Send, after?: number): Promise<Subscription>;
  /** The id of the newest event published, or the starting point before the first. */
  readonly lastEventId: number;
  /** Events published through this hub since the process started. */
  readonly eventsPublished: number;
  /** True while the hub cannot deliver events (its transport is unreachable). */
  readonly degraded: boolean;
  /**
   * Tells every instance, this one included, that these sessions ended ('all': every session), so
   * each closes their streams and forgets them at once. Never throws: an instance that does not
   * hear it still refuses the session within a second and closes its streams at its next sweep.
   */
  endSessions(ended: SessionsEnded): Promise<void>;
  /** Called on this instance for every `endSessions` of any instance. */
  onSessionsEnded(listener: (ended: SessionsEnded) => void): void;
  /** Connects to whatever carries the events; rejects, saying why, when that is unreachable. */
  start(): Promise<void>;
  close(): void;
}
