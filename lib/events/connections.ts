import 'server-only';
import type { EventHub, Send } from './hub';
import { EXPIRED, HEARTBEAT, RETRY, SHUTDOWN, sseFrame } from './sse';
import type { ConnectedPayload } from '../dto';

export type ConnectionLimits = {
  maxConnections: number;
  /** Bytes a stream may have queued (its client not reading) before it is disconnected. */
  maxQueueBytes: number;
  heartbeatMs?: number;
};

export type CloseReason = 'client' | 'slow' | 'expired' | 'signed-out' | 'shutdown';

export type StreamOptions = {
  /** When the caller's access ends (ms since the epoch); the stream closes then. */
  expiresAt?: number | null;
  /** The caller's session, if any: ending it ends the stream. */
  sessionId?: string | null;
  onClose?: (reason: CloseReason) => void;
};

type Stream = { send: Send; close: (reason: CloseReason) => void; sessionId: string | null };

/**
 * Every open SSE stream of this process: enforces the connection limit, drops clients that
 * cannot keep up, sends one heartbeat to all streams from one timer, and ends them all on
 * shutdown. A stream holds only its controller, its hub subscription and two closures.
 */
export class Connections {
  readonly #open = new Set<Stream>();
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #closing = false;
  refused = 0;
  slowConsumersDropped = 0;

  constructor(readonly limits: ConnectionLimits) {}

  get size(): number {
    return this.#open.size;
  }

  /**
   * The body of a new stream: `connected`, then the events after `after` (or `resync`), then live
   * events. Null when this process is at its limit or shutting down.
   */
  open(hub: EventHub, after: number | undefined, options: StreamOptions = {}): ReadableStream<Uint8Array> | null {
    if (this.#closing || this.#open.size >= this.limits.maxConnections) {
      this.refused++;
      return null;
    }
    let stream: Stream | undefined;
    return new ReadableStream<Uint8Array>(
      {
        start: async (controller) => {
          let closed = false;
          let unsubscribe = () => {};
          let expiry: ReturnType<typeof setTimeout> | undefined;
          const close = (reason: CloseReason) => {
            if (closed) return;
            closed = true;
            unsubscribe();
            clearTimeout(expiry);
            this.#remove(current);
            try {
              // A slow client's queue is dropped at once; the others get what is queued first.
              if (reason === 'slow') controller.error(new Error('SSE client too slow'));
              else if (reason !== 'client') controller.close();
            } catch {
              // the reader already went away
            }
            options.onClose?.(reason);
          };
          let replayBytes = 0;
          const send: Send = (frame, replayed = false) => {
            if (closed) return;
            controller.enqueue(frame);
            // The queue only grows while the client is not reading; past the bound, drop it
            // (it reconnects and replays) instead of buffering without limit. A replay is queued
            // all at once, before the client could read any of it, so its size is added to the
            // bound (it is itself bounded by the hub's log).
            if (replayed) replayBytes += frame.byteLength;
            else if ((controller.desiredSize ?? 0) < -replayBytes) {
              this.slowConsumersDropped++;
              close('slow');
            }
          };
          const current: Stream = { send, close, sessionId: options.sessionId ?? null };
          stream = current;
          this.#add(current);
          if (options.expiresAt != null) {
            const expire = () => {
              send(EXPIRED);
              close('expired');
            };
            expiry = setTimeout(expire, Math.min(2 ** 31 - 1, Math.max(0, options.expiresAt - Date.now())));
            expiry.unref?.();
          }
          const connected: ConnectedPayload = { lastEventId: hub.lastEventId };
          controller.enqueue(RETRY);
          controller.enqueue(sseFrame('connected', connected));
          const subscription = await hub.subscribe(send, after);
          if (closed) subscription.unsubscribe();
          else unsubscribe = subscription.unsubscribe;
        },
        // Next.js cancels the body when the client disconnects (it aborts its pipe on 'close').
        cancel: () => stream?.close('client'),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: this.limits.maxQueueBytes }),
    );
  }

  /** Ends every stream with a `shutdown` event, so clients reconnect elsewhere, spread out. */
  shutdown(): void {
    this.#closing = true;
    for (const stream of [...this.#open]) {
      stream.send(SHUTDOWN);
      stream.close('shutdown');
    }
  }

  /** Ends the streams of these sessions ('all': of every session) with `expired`: their sessions ended. */
  endSessions(ended: string[] | 'all'): void {
    const ids = ended === 'all' ? null : new Set(ended);
    for (const stream of [...this.#open]) {
      if (stream.sessionId === null || (ids && !ids.has(stream.sessionId))) continue;
      stream.send(EXPIRED);
      stream.close('signed-out');
    }
  }

  /** The sessions that have streams open here. */
  sessionIds(): string[] {
    const ids = new Set<string>();
    for (const stream of this.#open) if (stream.sessionId !== null) ids.add(stream.sessionId);
    return [...ids];
  }

  #add(stream: Stream): void {
    this.#open.add(stream);
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => {
        for (const open of this.#open) open.send(HEARTBEAT);
      }, this.limits.heartbeatMs ?? 15_000);
      this.#heartbeat.unref?.();
    }
  }

  #remove(stream: Stream): void {
    this.#open.delete(stream);
    if (this.#open.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
