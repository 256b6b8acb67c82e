import 'server-only';
import type { EventHub, Subscriber } from './hub';
import { encodeEvent } from './sse';
import type { HubEvent, UserEvent } from './types';

/** The default hub: every subscriber lives in this process. */
export class MemoryHub implements EventHub {
  #subscribers = new Set<Subscriber>();
  // Ids start from the clock (in microseconds) rather than 0, so they keep increasing across a
  // restart and a browser holding an id from before it can never mistake new events for old.
  #lastEventId = Date.now() * 1000;

  async publish(event: UserEvent): Promise<HubEvent> {
    const published: HubEvent = { ...event, eventId: ++this.#lastEventId };
    const frame = encodeEvent(published);
    for (const subscriber of this.#subscribers) {
      try {
        subscriber(frame, published);
      } catch {
        // A subscriber whose stream already closed must not stop delivery to the others.
        this.#subscribers.delete(subscriber);
      }
    }
    return published;
  }

  subscribe(subscriber: Subscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => void this.#subscribers.delete(subscriber);
  }

  get lastEventId(): number {
    return this.#lastEventId;
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }
}
