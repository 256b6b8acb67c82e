import 'server-only';
import { env } from '@/lib/server/env';
import { type Bus, MemoryBus, RedisBus } from './bus';
import { Connections } from './connections';
import type { EventHub } from './hub';
import { databaseLog } from './event-log';
import { LogHub } from './log-hub';

// One hub and one connection registry per process, on globalThis: Next.js bundles route
// handlers and server actions separately, and module-level instances would differ in each.
const globalForEvents = globalThis as typeof globalThis & { rosterBus?: Bus; rosterHub?: EventHub; rosterConnections?: Connections };

/** Redis rings the other instances when REDIS_URL is set; otherwise there are none to ring. */
function createBus(): Bus {
  return env.REDIS_URL ? new RedisBus(env.REDIS_URL, env.REDIS_KEY_PREFIX) : new MemoryBus();
}

/** A replay from the database is bounded: a client further behind than this refetches its page. */
const REPLAY_LIMIT = 10_000;

/** The bus between instances: the hub rings on it, the session relay (lib/server/auth) speaks on it. */
export const bus: Bus = (globalForEvents.rosterBus ??= createBus());

export const hub: EventHub = (globalForEvents.rosterHub ??= new LogHub(databaseLog, bus, {
  windowSize: env.EVENT_LOG_SIZE,
  pollMs: 1_000,
  replayLimit: Math.max(REPLAY_LIMIT, env.EVENT_LOG_SIZE),
}));

export const connections: Connections = (globalForEvents.rosterConnections ??= new Connections({
  maxConnections: env.MAX_SSE_CONNECTIONS,
  maxQueueBytes: env.SSE_MAX_QUEUE_BYTES,
  heartbeatMs: env.SSE_HEARTBEAT_SECONDS * 1_000,
}));
