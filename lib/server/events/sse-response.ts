import 'server-only';
import type { Caller } from '@/lib/server/auth';
import { logger, requestIdOf } from '@/lib/server/logger';
import { connections, hub } from '@/lib/server/events';

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  // A stream ends only when the server drops it or shuts down; keeping its connection alive
  // after that would hold a shutting-down server open until the client's idle timeout.
  Connection: 'close',
  // nginx buffers proxied responses unless told not to.
  'X-Accel-Buffering': 'no',
};

/**
 * The id to replay from: EventSource sends `Last-Event-ID` when it reconnects by itself; a
 * client that opens a new EventSource passes `?lastEventId=`. Garbage counts as unknown (resync).
 */
export function lastEventIdOf(request: Request): number | undefined {
  const raw = request.headers.get('last-event-id') ?? new URL(request.url).searchParams.get('lastEventId');
  if (raw === null || raw === '') return undefined;
  return /^\d{1,16}$/.test(raw) ? Number(raw) : Number.NaN;
}

/**
 * The SSE response for a caller the route has let in: 503 when this instance has no room (the
 * client polls instead). It ends when the session does: at its expiry, or at once when it is
 * signed out (with `expired`, on every instance). `release` gives back the caller's stream slot
 * (lib/rate-limit) when the stream ends, or at once when there is no room for it.
 */
export function sseResponse(request: Request, caller: Caller, release: () => void): Response {
  const requestId = requestIdOf(request.headers);
  const { principal } = caller;
  const after = lastEventIdOf(request);
  const body = connections.open(hub, after, {
    expiresAt: caller.expiresAt,
    sessionId: caller.sessionId,
    owner: caller.sessionId,
    onClose: (reason) => {
      release();
      logger.info({ requestId, principal, reason }, 'stream closed');
    },
  });
  if (!body) {
    release();
    logger.warn({ requestId, principal, open: connections.size }, 'stream refused');
    return Response.json(
      { error: 'Too many live connections; poll /api/users instead' },
      { status: 503, headers: { 'Retry-After': String(5 + Math.floor(Math.random() * 10)) } },
    );
  }
  logger.info({ requestId, principal, after, via: caller.via }, 'stream opened');
  return new Response(body, { headers: SSE_HEADERS });
}
