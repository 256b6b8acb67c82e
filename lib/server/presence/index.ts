import 'server-only';
import { bus, connections } from '@/lib/server/events';
import { sseFrame } from '@/lib/server/events/sse';
import { Presence } from './registry';

// One registry per process, on globalThis like the hub (Next.js bundles routes apart). A change
// of who is here goes to this instance's streams as one `presence` frame: one per join, leave or
// editor opened or closed, never one per event or per report.

const globalForPresence = globalThis as typeof globalThis & { rosterPresence?: Presence };

/** `instance`: this process, as presence, the metrics and the status page name it. */
export const presence: Presence = (globalForPresence.rosterPresence ??= new Presence(bus, `${process.pid}-${crypto.randomUUID().slice(0, 8)}`, (people) =>
  connections.broadcast(sseFrame('presence', people)),
));
