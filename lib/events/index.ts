import 'server-only';
import { env } from '@/lib/env';
import { Connections } from './connections';
import type { EventHub } from './hub';
import { MemoryHub } from './memory-hub';
import { RedisHub } from './redis-hub';

// One hub and one connection registry per process, on globalThis: Next.js bundles route
// handlers and server actions separately, and module-level instances would differ in each.
const globalForEvents = globalThis as typeof globalThis & { rosterHub?: EventHub; rosterConnections?: Connections };

/** Redis when REDIS_URL is set (several instances share its stream), else this process alone. */
function createHub(): EventHub {
  if (!env.REDIS_URL) return new MemoryHub(env.EVENT_LOG_SIZE);
  return new RedisHub({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, logSize: env.EVENT_LOG_SIZE });
}

export const hub: EventHub = (globalForEvents.rosterHub ??= createHub());

export const connections: Connections = (globalForEvents.rosterConnections ??= new Connections({
  maxConnections: env.MAX_SSE_CONNECTIONS,
  maxQueueBytes: env.SSE_MAX_QUEUE_BYTES,
}));
