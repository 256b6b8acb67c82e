// An event log held in an array, for unit tests of the hub: the same contract as the Event table
// (ids increase, pruning removes the oldest first), without a database.
import type { HubEvent, UserEvent } from '@/lib/shared/dto';
import { MemoryBus } from '@/lib/server/events/bus';
import type { EventLog } from '@/lib/server/events/event-log';
import { LogHub, type LogHubOptions } from '@/lib/server/events/log-hub';

export class MemoryLog implements EventLog {
  events: HubEvent[] = [];
  /** The `after` of every read, in order. */
  reads: number[] = [];

  constructor(private nextId = 1) {}

  /** Commits an event, as a write's transaction does; the hub hears of it only when rung (or polls). */
  append(event: UserEvent): HubEvent {
    const recorded = { ...event, eventId: this.nextId++ } as HubEvent;
    this.events.push(recorded);
    return recorded;
  }

  /** Removes the oldest `count` events, as retention pruning does. */
  prune(count: number): void {
    this.events.splice(0, count);
  }

  async after(after: number, limit: number): Promise<HubEvent[]> {
    this.reads.push(after);
    return this.events.filter((event) => event.eventId > after).slice(0, limit);
  }

  async newest(limit: number): Promise<HubEvent[]> {
    return limit === 0 ? [] : this.events.slice(-limit);
  }

  async oldestId(): Promise<number | null> {
    return this.events[0]?.eventId ?? null;
  }
}

/**
 * Until the hub's fan-out has walked its (few) streams: it sends in slices between turns of the
 * event loop (lib/server/events/slices.ts), a walk and the one after it at most.
 */
export async function fannedOut(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}

/** A started hub on a MemoryLog, with `publish` doing what a write does: commit, then ring; then until every stream has it. */
export async function memoryHub(options: Partial<LogHubOptions> = {}, log = new MemoryLog()) {
  const hub = new LogHub(log, new MemoryBus(), { windowSize: 10, pollMs: 0, replayLimit: 100, ...options });
  await hub.start();
  const publish = async (event: UserEvent): Promise<HubEvent> => {
    const recorded = log.append(event);
    await hub.ring();
    await fannedOut();
    return recorded;
  };
  return { hub, log, publish };
}
