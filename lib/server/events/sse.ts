import 'server-only';
import type { HubEvent } from '@/lib/shared/dto';

// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html). The
// browser's side, decoding what encodeEvent writes, is lib/browser/decode-event.ts.

const encoder = new TextEncoder();

/** One SSE message. JSON escapes line breaks, so the data always fits on one `data:` line. */
export function sseFrame(event: string, data: unknown, id?: number): Uint8Array {
  const idLine = id === undefined ? '' : `id: ${id}\n`;
  return encoder.encode(`event: ${event}\n${idLine}data: ${JSON.stringify(data)}\n\n`);
}

/** How long EventSource clients that reconnect by themselves wait first. */
export const RETRY_MS = 3_000;
export const RETRY = encoder.encode(`retry: ${RETRY_MS}\n\n`);

/** A comment line: ignored by EventSource, but keeps proxies and load balancers from timing out. */
export const HEARTBEAT = encoder.encode(': heartbeat\n\n');

/** The server is going away: reconnect (to any instance) after a random delay up to this long. */
export const SHUTDOWN = sseFrame('shutdown', { reconnectWithinMs: RETRY_MS });

/** The caller's session ended: the stream closes and the client must sign in again. */
export const EXPIRED = sseFrame('expired', {});

/** The data line of each user event: the created (or restored) user; the user with what it was before; the deleted one; the user whose access changed. */
function eventData(event: HubEvent): unknown {
  if (event.type === 'users_imported') return { importId: event.importId, upToEventId: event.upToEventId, created: event.created, updated: event.updated, deleted: event.deleted, restored: event.restored, job: event.job };
  if (event.type === 'user_created' || event.type === 'user_restored' || event.type === 'user_invited' || event.type === 'user_sessions_ended') return event.user;
  if (event.type === 'user_updated') return { user: event.user, previous: event.previous };
  return { id: event.id, user: event.user };
}

/** The frame for a published event, encoded once and shared by every subscriber. */
export function encodeEvent(event: HubEvent): Uint8Array {
  return sseFrame(event.type, eventData(event), event.eventId);
}

/** Replay was impossible: refetch the list, then carry on with the live events that follow. */
export function resyncFrame(lastEventId: number): Uint8Array {
  return sseFrame('resync', { lastEventId });
}
