import 'server-only';
import { bus, connections } from '@/lib/server/events';
import { sseFrame } from '@/lib/server/events/sse';
import { type PresenceDTO, presenceChange, versionOf } from '@/lib/shared/presence';
import { Presence } from './registry';
import { StreamCallers } from './stream-callers';

// One registry per process, on globalThis like the hub (Next.js bundles routes apart). A change
// of who is here goes to this instance's streams as one `presence` frame, never one per event or
// per report, saying only what changed since the last frame; changes within COALESCE_MS go as one
// (a crowd opening Roster at nine, an instance's tabs arriving after a restart), so every stream
// gets at most four a second, whatever the crowd.

const COALESCE_MS = 250;

const globalForPresence = globalThis as typeof globalThis & { rosterPresence?: Presence; rosterStreamCallers?: StreamCallers };

let pending: PresenceDTO | null = null;
/** Who was here as the last frame said: the next frame's `base`. */
let sent: PresenceDTO = { people: [], version: versionOf('[]') };

function broadcastSoon(people: PresenceDTO): void {
  const scheduled = pending !== null;
  pending = people;
  if (scheduled) return;
  setTimeout(() => {
    const latest = pending;
    pending = null;
    if (!latest || latest.version === sent.version) return;
    connections.broadcast(sseFrame('presence', presenceChange(sent, latest)));
    sent = latest;
  }, COALESCE_MS).unref();
}

/** `instance`: this process, as presence, the metrics and the status page name it. */
export const presence: Presence = (globalForPresence.rosterPresence ??= new Presence(bus, `${process.pid}-${crypto.randomUUID().slice(0, 8)}`, broadcastSoon));

/** Reports' callers, held while their session has a stream open here (stream-callers.ts). */
export const streamCallers: StreamCallers = (globalForPresence.rosterStreamCallers ??= new StreamCallers((id) => connections.hasSession(id)));
