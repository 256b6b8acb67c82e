import 'server-only';
import { recentDelivery } from './delivery';
import { env } from './env';
import { connections, hub } from './events';
import { presence } from './presence';
import type { InstanceStatus, StatusDTO } from '@/lib/shared/status';

// How this instance is, for the status page (/status): told to the other instances every two
// seconds (lib/server/presence/registry.ts), so any instance's page shows them all.

/** The process's start, the same in every bundle that asks. */
const startedAt = new Date(Date.now() - process.uptime() * 1_000);
/** eventsPublished a few seconds apart, to tell events per second. */
const published: { at: number; count: number }[] = [];
const RATE_WINDOW_MS = 10_000;

function eventsPerSecond(now: number): number {
  published.push({ at: now, count: hub.eventsPublished });
  while (published.length > 2 && published[0]!.at < now - RATE_WINDOW_MS) published.shift();
  const first = published[0]!;
  const seconds = (now - first.at) / 1_000;
  return seconds > 0 ? Math.round(((hub.eventsPublished - first.count) / seconds) * 10) / 10 : 0;
}

/** This instance, now. */
export function instanceStatus(now = Date.now()): InstanceStatus {
  return {
    id: presence.instance,
    startedAt: startedAt.toISOString(),
    uptimeSeconds: Math.round(process.uptime()),
    streams: connections.size,
    dashboards: presence.transports(),
    eventsPerSecond: eventsPerSecond(now),
    delivery: recentDelivery(now),
    redis: env.REDIS_URL ? (hub.degraded ? 'down' : 'up') : 'none',
    lastEventId: hub.lastEventId,
  };
}

/** Every instance heard of in the last ten seconds (this one first), and how many people are here. */
export function statusOfAll(): StatusDTO {
  return { instances: presence.instances(), people: presence.people().people.length };
}
