import 'server-only';
import { ValidationError } from '@/lib/server/errors';
import { hub } from '@/lib/server/events';
import { DELIVERY_BUCKETS, observeDelivery } from '@/lib/server/metrics';
import { RecentHistogram } from '@/lib/server/recent-histogram';
import type { PresenceReport, Transport } from '@/lib/shared/presence';

// How long events take from their commit to being applied on the screens watching, measured on
// the server's clock so a browser's wrong clock cannot skew it. A tab reports, for each event it
// applied, how long ago it applied it, by its own monotonic clock (performance.now(), which no
// clock change moves). The server places that moment on its own clock (the report's arrival minus
// the time since), and subtracts the event's commit time, which it keeps with the newest events.
// The one error left is the report's own trip from browser to server (milliseconds, and only ever
// making delivery look slower). Events older than the hub's memory are not measured.

/** The same samples over the last five minutes, for the status page; on globalThis like the registry. */
const globalForDelivery = globalThis as typeof globalThis & { rosterRecentDelivery?: RecentHistogram };
const recent = (globalForDelivery.rosterRecentDelivery ??= new RecentHistogram(DELIVERY_BUCKETS));

/** Delivery over the last five minutes on this instance: p50, p99 (seconds; null without reports) and how many samples. */
export function recentDelivery(now = Date.now()): { p50: number | null; p99: number | null; samples: number } {
  return { p50: recent.quantile(0.5, now), p99: recent.quantile(0.99, now), samples: recent.count(now) };
}

/** A sample this far before its event's commit is not a measurement: the report is refused. */
const EARLIEST_MS = -1_000;

/**
 * Checks every sample of a report first, then records them all (the histogram and the status
 * page's five minutes): a report with one impossible sample records nothing (ValidationError, 400).
 */
export function recordDeliveries(deliveries: NonNullable<PresenceReport['deliveries']>, transport: Transport, receivedAt = Date.now()): number {
  const samples: number[] = [];
  for (const [index, { eventId, agoMs }] of deliveries.entries()) {
    if (eventId > hub.lastEventId) throw new ValidationError({ [`deliveries.${index}.eventId`]: [`No event ${eventId} yet`] });
    const committedAt = hub.committedAt(eventId);
    if (committedAt === undefined) continue;
    const ms = receivedAt - agoMs - committedAt;
    if (ms < EARLIEST_MS) throw new ValidationError({ [`deliveries.${index}.agoMs`]: ['Applied before the event was committed'] });
    samples.push(Math.max(0, ms) / 1_000);
  }
  for (const seconds of samples) {
    observeDelivery(transport, seconds);
    recent.observe(seconds, receivedAt);
  }
  return samples.length;
}
