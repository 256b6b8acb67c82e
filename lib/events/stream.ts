import 'server-only';
import { callerOf } from '@/lib/auth';
import { RateLimitedError, UnauthorizedError } from '@/lib/errors';
import { errorResponse } from '@/lib/http';
import { log, requestIdOf } from '@/lib/log';
import { clientKey, limits } from '@/lib/rate-limit';
import { connections, hub } from '.';

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
 * The SSE response for one client: 401 without credentials, 429 past the connection rate, 503
 * when this instance has no room (the client polls instead). It ends when the session does.
 */
export async function eventStreamResponse(request: Request): Promise<Response> {
  const caller = await callerOf(request);
  if (!caller) return errorResponse(new UnauthorizedError(), request);
  const verdict = await limits.streams.take(clientKey(request.headers));
  if (!verdict.ok) return errorResponse(new RateLimitedError(verdict.retryAfterSeconds), request);

  const requestId = requestIdOf(request.headers);
  const after = lastEventIdOf(request);
  const body = connections.open(hub, after, {
    expiresAt: caller.expiresAt,
    onClose: (reason) => log.info({ requestId, reason }, 'stream closed'),
  });
  if (!body) {
    log.warn({ requestId, open: connections.size }, 'stream refused');
    return Response.json(
      { error: 'Too many live connections; poll /api/users instead' },
      { status: 503, headers: { 'Retry-After': String(5 + Math.floor(Math.random() * 10)) } },
    );
  }
  log.info({ requestId, after, via: caller.via }, 'stream opened');
  return new Response(body, { headers: SSE_HEADERS });
}
