import 'server-only';
import { ValidationError } from '@/lib/server/errors';
import { hub } from '@/lib/server/events';
import { DELIVERY_BUCKETS, observeDelivery } from '@/lib/server/metrics';
import { RecentHistogram } from '@/lib/server/recent-histogram';
import type { PresenceReport, Transport } from '@/lib/shared/presence';

// How long events take from their commit to being applied on the screens watching, on the
// server's clock, so a browser's wrong clock cannot skew it. A tab stamps each event it applied with
// the moment on its own monotonic clock (performance.now(), which no clock change moves) plus its
// offset from the server's clock, measured as NTP does: each answer carries the server's time, and
// the answer with the shortest round trip bounds the offset's error by half that trip
// (lib/browser/presence.ts). So neither the browser's clock nor the report's own trip, which a
// busy browser may hold back for seconds, enters the figure. The server subtracts the event's
// commit time, which it keeps with the newest events; older events are not measured.

/** The same samples over the last five minutes, for the status page; on globalThis like the registry. */
const globalForDelivery = globalThis as typeof globalThis & { rosterRecentDelivery?: RecentHistogram };
const recent = (globalForDelivery.rosterRecentDelivery ??= new RecentHistogram(DELIVERY_BUCKETS));

/** Delivery over the last five minutes on this instance: p50, p99 (seconds; null without reports) and how many samples. */
export function recentDelivery(now = Date.now()): { p50: number | null; p99: number | null; samples: number } {
  return { p50: recent.quantile(0.5, now), p99: recent.quantile(0.99, now), samples: recent.count(now) };
}

/** A sample this far before its event's commit, or after the report arrived, is not a measurement (the offset's error is far less): the report is refused. */
const SLACK_MS = 1_000;
/** Nor one older than a report can cover. */
const OLDEST_MS = 5 * 60_000;

/**
 * Checks every sample of a report first, then records them all (the histogram and the status
 * page's five minutes): a report with one impossible sample records nothing (ValidationError, 400).
 */
export function recordDeliveries(deliveries: NonNullable<PresenceReport['deliveries']>, transport: Transport, receivedAt = Date.now()): number {
  const samples: number[] = [];
  // Indexed, not entries(): 500 reports a second of 40 samples each would make 20,000 pairs a second.
  for (let index = 0; index < deliveries.length; index++) {
    const { eventId, atMs } = deliveries[index]!;
    if (eventId > hub.lastEventId) throw new ValidationError({ [`deliveries.${index}.eventId`]: [`No event ${eventId} yet`] });
    if (atMs > receivedAt + SLACK_MS) throw new ValidationError({ [`deliveries.${index}.atMs`]: ['Applied after the report arrived'] });
    if (atMs < receivedAt - OLDEST_MS) throw new ValidationError({ [`deliveries.${index}.atMs`]: ['Older than a report covers'] });
    const committedAt = hub.committedAt(eventId);
    if (committedAt === undefined) continue;
    const ms = atMs - committedAt;
    if (ms < -SLACK_MS) throw new ValidationError({ [`deliveries.${index}.atMs`]: ['Applied before the event was committed'] });
    samples.push(Math.max(0, ms) / 1_000);
  }
  for (const seconds of samples) {
    observeDelivery(transport, seconds);
    recent.observe(seconds, receivedAt);
  }
  return samples.length;
}
