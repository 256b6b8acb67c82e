import 'server-only';
import type { EventHub, Send } from './hub';
import { BufferSink, controllerSink, markClaimable, type Sink } from './sinks';
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
  /** Whose stream it is (the caller's session): their own writes reach it before their answer. */
  owner?: string | null;
  onClose?: (reason: CloseReason) => void;
};

/**
 * One open stream: what it has said and where its bytes go. An object with its methods on its
 * class, not a dozen closures: 10,000 of them are open at once (docs/benchmarks.md).
 */
class Stream {
  /** Until a sink claims the body: the frames said so far, then the sink (buffer.handOn). */
  readonly #buffer = new BufferSink();
  #sink: Sink = this.#buffer;
  #closed = false;
  /** Bytes queued by the replay on subscribing: the queue bound allows for them. */
  #replayBytes = 0;
  #unsubscribe: (() => void) | null = null;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  /** What the hub calls with each event (a bound method: the hub keeps functions). */
  readonly send: Send = (frame, replayed) => this.#send(frame, replayed);

  constructor(
    private readonly connections: Connections,
    readonly sessionId: string | null,
    private readonly onClose: ((reason: CloseReason) => void) | undefined,
  ) {}

  write(frame: Uint8Array): void {
    this.#sink.write(frame);
  }

  expireAt(at: number): void {
    this.#expiry = setTimeout(() => {
      this.write(EXPIRED);
      this.close('expired');
    }, Math.min(2 ** 31 - 1, Math.max(0, at - Date.now())));
    this.#expiry.unref?.();
  }

  subscribed(unsubscribe: () => void): void {
    if (this.#closed) unsubscribe();
    else this.#unsubscribe = unsubscribe;
  }

  close(reason: CloseReason): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    clearTimeout(this.#expiry);
    this.connections.closed(this);
    // A slow client's queue is dropped at once; the others get what is queued first.
    if (reason === 'slow') this.#sink.abort();
    else if (reason !== 'client') this.#sink.end();
    this.onClose?.(reason);
  }

  /** The sink takes the stream over: what was said so far, then everything; returns what to call when the client goes. */
  claim(sink: Sink): () => void {
    if (this.#sink !== this.#buffer) throw new Error('stream claimed twice');
    this.#sink = sink;
    this.#buffer.handOn(sink);
    return () => this.close('client');
  }

  get claimed(): boolean {
    return this.#sink !== this.#buffer;
  }

  #send(frame: Uint8Array, replayed = false): void {
    if (this.#closed) return;
    this.#sink.write(frame);
    if (!replayed) this.connections.heard();
    // The queue only grows while the client is not reading; past the bound, drop it (it
    // reconnects and replays) instead of buffering without limit. A replay is queued all at
    // once, before the client could read any of it, so its size is added to the bound (it is
    // itself bounded by the hub's log).
    if (replayed) this.#replayBytes += frame.byteLength;
    else if (this.#sink.queued() > this.connections.limits.maxQueueBytes + this.#replayBytes) {
      this.connections.slowConsumersDropped++;
      this.close('slow');
    }
  }
}

/**
 * Every open SSE stream of this process: enforces the connection limit, drops clients that
 * cannot keep up, sends a heartbeat to all streams from one timer when no event has, and ends them
 * all on shutdown. A stream holds only its sink, its hub subscription and two closures: what it
 * says is decided here once, however its bytes leave.
 */
export class Connections {
  readonly #open = new Set<Stream>();
  /** How many streams each session has open here. */
  readonly #sessions = new Map<string, number>();
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
    const stream = new Stream(this, options.sessionId ?? null, options.onClose);
    this.#add(stream);
    if (options.expiresAt != null) stream.expireAt(options.expiresAt);
    const connected: ConnectedPayload = { lastEventId: hub.lastEventId };
    stream.write(RETRY);
    stream.write(sseFrame('connected', connected));
    hub.subscribe(stream.send, after, options.owner ?? null).then(
      (subscription) => stream.subscribed(subscription.unsubscribe),
      () => stream.close('shutdown'), // the hub's subscribe does not reject; if it ever did, the client reconnects
    );

    const body = new ReadableStream<Uint8Array>(
      {
        // Called on the first read (the high-water mark is 0, so never before): that reader is the sink.
        pull: (controller) => {
          if (!stream.claimed) stream.claim(controllerSink(controller));
        },
        // Next.js cancels the body when the client disconnects (it aborts its pipe on 'close').
        cancel: () => stream.close('client'),
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 0 }),
    );
    return markClaimable(body, (sink) => stream.claim(sink));
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

  /** A live event went out: the streams need no heartbeat this tick. */
  heard(): void {
    this.#quiet = false;
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
    return [...this.#sessions.keys()];
  }

  /** Whether this session has a stream open here: one that is let in until its session ends. */
  hasSession(id: string): boolean {
    return this.#sessions.has(id);
  }

  #add(stream: Stream): void {
    this.#open.add(stream);
    if (stream.sessionId !== null) this.#sessions.set(stream.sessionId, (this.#sessions.get(stream.sessionId) ?? 0) + 1);
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

  /** A stream ended: it is let go. */
  closed(stream: Stream): void {
    if (!this.#open.delete(stream)) return;
    if (stream.sessionId !== null) {
      const left = (this.#sessions.get(stream.sessionId) ?? 1) - 1;
      if (left > 0) this.#sessions.set(stream.sessionId, left);
      else this.#sessions.delete(stream.sessionId);
    }
    if (this.#open.size === 0 && this.#heartbeat) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
