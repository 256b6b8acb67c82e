import 'server-only';
import type { EventHub } from './hub';
import { HEARTBEAT, sseFrame } from './sse';
import type { ConnectedPayload } from './types';

export const HEARTBEAT_MS = 15_000;

const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware from buffering the stream.
  'Cache-Control': 'no-cache, no-transform',
  Connection: 'keep-alive',
  // nginx buffers proxied responses unless told not to.
  'X-Accel-Buffering': 'no',
};

/**
 * An SSE response fed by the hub until the client goes away. Everything the stream holds
 * (its subscription and its heartbeat timer) is released when the request aborts or the
 * reader cancels, whichever comes first.
 */
export function eventStreamResponse(hub: EventHub, signal: AbortSignal, heartbeatMs = HEARTBEAT_MS): Response {
  let close = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const connected: ConnectedPayload = { lastEventId: hub.lastEventId };
      controller.enqueue(sseFrame('connected', connected));
      const unsubscribe = hub.subscribe((frame) => controller.enqueue(frame));
      const heartbeat = setInterval(() => controller.enqueue(HEARTBEAT), heartbeatMs);
      let closed = false;
      close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        signal.removeEventListener('abort', close);
        try {
          controller.close();
        } catch {
          // already closed by the reader
        }
      };
      if (signal.aborted) close();
      else signal.addEventListener('abort', close);
    },
    cancel() {
      close();
    },
  });
  return new Response(body, { headers: SSE_HEADERS });
}
