// The contract every event hub backend keeps. Routes, actions and components see only this,
// so a Redis or PostgreSQL backend can replace the in-process one without touching them.
import type { HubEvent, UserEvent } from './types';

/** Receives each event with its SSE frame, encoded once per event rather than per subscriber. */
export type Subscriber = (frame: Uint8Array, event: HubEvent) => void;

export interface EventHub {
  /** Gives the event the next id and delivers it. Call only after the database write committed. */
  publish(event: UserEvent): Promise<HubEvent>;
  /** Starts delivering events published from now on; returns the function that stops it. */
  subscribe(subscriber: Subscriber): () => void;
  /** The id of the newest event published, or the starting point before the first. */
  readonly lastEventId: number;
  /** Open subscriptions right now. */
  readonly subscriberCount: number;
}
