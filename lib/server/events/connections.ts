import 'server-only';
import type { EventHub, Send } from './hub';
import { bufferSink, type Claim, controllerSink, markClaimable, type Sink } from './sinks';
import { inSlices } from './slices';
import { EXPIRED, HEARTBEAT, RETRY, SHUTDOWN, sseFrame } from './sse';
import type { ConnectedPayload } from '@/lib/shared/dto';

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
  /** Whose stream it is (the caller's principal): their own writes reach it before their answer. */
  owner?: string | null;
  onClose?: (reason: CloseReason) => void;
};

type Stream = { write: (frame: Uint8Array) => void; close: (reason: CloseReason) => void; sessionId: string | null };

/**
 * Every open SSE stream of this process: enforces the connection limit, drops clients that
 * cannot keep up, sends a heartbeat to all streams from one timer when no event has, and ends them
 * all on shutdown. A stream holds only its sink, its hub subscription and two closures: what it
 * says is decided here once, however its bytes leave.
 */
export class Connections {
  readonly #open = new Set<Stream>();
  /** Frames for every stream, the first being sent now. */
  readonly #broadcasts: Uint8Array[] = [];
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** No live event since the last heartbeat tick: the streams need one. */
  #quiet = true;
  #closing = false;
  refused = 0;
  slowConsumersDropped = 0;

  constructor(readonly limits: ConnectionLimits) {}

  get size(): number {
    return this.#open.size;
  }

  /**
   * The body of a new stream: `connected`, then the events after `after` (or `resync`), then live
   * events. Null when this process is at its limit or shutting down. Frames wait in a small array
   * until a sink claims the body: the first read of its ReadableStream, or the node:http server.
   */
  open(hub: EventHub, after: number | undefined, options: StreamOptions = {}): ReadableStream<Uint8Array> | null {
    if (this.#closing || this.#open.size >= this.limits.maxConnections) {
      this.refused++;
      return null;
    }
    const buffer = bufferSink();
    let sink: Sink = buffer;
    let closed = false;
    let replayBytes = 0;
    let unsubscribe = () => {};
    let expiry: ReturnType<typeof setTimeout> | undefined;

    const write = (frame: Uint8Array) => sink.write(frame);
    const close = (reason: CloseReason) => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearTimeout(expiry);
      this.#remove(stream);
      // A slow client's queue is dropped at once; the others get what is queued first.
      if (reason === 'slow') sink.abort();
      else if (reason !== 'client') sink.end();
      options.onClose?.(reason);
    };
    const send: Send = (frame, replayed = false) => {
      if (closed) return;
      sink.write(frame);
      if (!replayed) this.#quiet = false;
      // The queue only grows while the client is not reading; past the bound, drop it (it
      // reconnects and replays) instead of buffering without limit. A replay is queued all at
      // once, before the client could read any of it, so its size is added to the bound (it is
      // itself bounded by the hub's log).
      if (replayed) replayBytes += frame.byteLength;
      else if (sink.queued() > this.limits.maxQueueBytes + replayBytes) {
        this.slowConsumersDropped++;
        close('slow');
      }
    };
    const claim: Claim = (claimed) => {
      if (sink !== buffer) throw new Error('stream claimed twice');
      sink = claimed;
      buffer.handOn(claimed);
      return () => close('client');
    };

    const stream: Stream = { write, close, sessionId: options.sessionId ?? null };
    this.#add(stream);
    if (options.expiresAt != null) {
      const expire = () => {
        write(EXPIRED);
        close('expired');
      };
      expiry = setTimeout(expire, Math.min(2 ** 31 - 1, Math.max(0, options.expiresAt - Date.now())));
      expiry.unref?.();
    }
    const connected: ConnectedPayload = { lastEventId: hub.lastEventId };
    write(RETRY);
    write(sseFrame('connected', connected));
    hub.subscribe(send, after, options.owner ?? null).then(
      (subscription) => {
        if (closed) subscription.unsubscribe();
        else unsubscribe = subscription.unsubscribe;
      },
      () => close('shutdown'), // the hub's subscribe does not reject; if it ever did, the client reconnects
    );

    const body = new ReadableStream<Uint8Array>(
      {
        // Called on the first read (the high-water mark is 0, so never before): that reader is the sink.
        pull: (controller) => {
          if (sink === buffer) claim(controllerSink(controller));
        },
        // Next.js cancels the body when the client disconnects (it aborts its pipe on 'close').
        cancel: () => close('client'),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    return markClaimable(body, claim);
  }

  /**
   * Sends a frame that is not an event (who is here) to every stream: not replayed, not counted as
   * an event. In slices, as the hub's fan-out; one walk at a time, so every stream gets them in order.
   */
  broadcast(frame: Uint8Array): void {
    this.#broadcasts.push(frame);
    if (this.#broadcasts.length === 1) this.#broadcastNext();
  }

  #broadcastNext(): void {
    const frame = this.#broadcasts[0];
    if (!frame) return;
    inSlices(
      this.#open.values(),
      (stream) => stream.write(frame),
      () => {
        this.#broadcasts.shift();
        this.#broadcastNext();
      },
    );
  }

  /** Ends every stream with a `shutdown` event, so clients reconnect elsewhere, spread out. */
  shutdown(): void {
    this.#closing = true;
    for (const stream of [...this.#open]) {
      stream.write(SHUTDOWN);
      stream.close('shutdown');
    }
  }

  /** Ends the streams of these sessions ('all': of every session) with `expired`: their sessions ended. */
  endSessions(ended: string[] | 'all'): void {
    const ids = ended === 'all' ? null : new Set(ended);
    for (const stream of [...this.#open]) {
      if (stream.sessionId === null || (ids && !ids.has(stream.sessionId))) continue;
      stream.write(EXPIRED);
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
      // A live event reaches every stream, and a stream opened since the last one has had
      // `connected`: after a tick with events, every stream has had bytes within two intervals,
      // so the 10,000-write round is skipped while events flow.
      this.#heartbeat = setInterval(() => {
        if (!this.#quiet) {
          this.#quiet = true;
          return;
        }
        inSlices(this.#open.values(), (open) => open.write(HEARTBEAT));
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
