import 'server-only';
import type { ChildProcess, SendHandle } from 'node:child_process';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import type { Sink } from './sinks';
import type { Report } from './writer-process';

// `npm start` hands each open stream's socket to a child process that does the writing
// (writer-process.ts): at 10,000 streams one event is 10,000 syscalls, which on the server's own
// thread took a quarter of it at 2 events a second and made every page wait its turn behind them
// (docs/benchmarks.md). The server keeps everything else — which streams are open, what each is
// sent and when, who is slow, who signed out — and tells the writer in one message per slice of the
// fan-out, not one per stream. Once the writer has a socket, the server closes its own copy of it
// and lets go of the request, response and parser that came with it (~7 KB of heap a stream, which
// every major collection walks again at 10,000 streams): the writer says when the client leaves, and
// should the writer die, its copies close with it, and so do the connections.

/** Where server.ts leaves how to start the writer (a global-registry symbol: server.ts imports no app code). */
export const FORK_STREAM_WRITER = Symbol.for('roster.forkStreamWriter');

type Op = { t: 'write'; frame: Uint8Array; ids: number[] } | { t: 'end' | 'abort'; ids: number[] };

/** The node:http response a stream writes to once the writer has its socket. */
export class HandedSink implements Sink {
  readonly id: number;
  /** This process's copy of the socket, until the writer has its own. */
  socket: Socket | null;
  /** The response, until the writer has the socket (to drop it if the stream is aborted before). */
  #res: ServerResponse | null;
  /** Frames said before the socket is handed over (while its head is still leaving): null once handed. */
  #early: Uint8Array[] | null = [];
  #ended: 'end' | 'abort' | null = null;
  /** What the writer last said this stream has queued (it says so past the bound, and when it drains). */
  #queued = 0;
  /** What to call once the client has gone (the stream's close), once. */
  #onLeft: (() => void) | null = null;
  readonly #callLeft = () => {
    const onLeft = this.#onLeft;
    this.#onLeft = null;
    onLeft?.();
  };

  constructor(
    private readonly writer: StreamWriter,
    res: ServerResponse,
  ) {
    this.id = writer.nextId();
    this.#res = res;
    res.flushHeaders();
    this.socket = res.socket;
    // The head leaves from this process's copy of the socket: the writer's first bytes must follow it.
    if (!this.socket || this.socket.writableLength === 0) queueMicrotask(() => this.#handOver());
    else this.socket.once('drain', () => this.#handOver());
  }

  /** Calls `left` once the client has gone: heard by this process until the hand-over, then by the writer. */
  whenLeft(left: () => void): void {
    this.#onLeft = left;
    this.#res?.once('close', this.#callLeft);
  }

  /** The client has gone (or the writer died, which closed the connection). */
  left(): void {
    this.letGo();
    this.#callLeft();
  }

  /** Closes this process's copy of the socket, and forgets the response: the writer has the connection, or nobody does. */
  letGo(): void {
    this.#res?.off('close', this.#callLeft);
    this.#res = null;
    this.socket?.destroy();
    this.socket = null;
  }

  #handOver(): void {
    const early = this.#early;
    if (early === null || this.#ended === 'abort') return;
    this.#early = null;
    if (!this.socket || this.socket.destroyed) return;
    this.writer.open(this, Buffer.concat(early));
    if (this.#ended === 'end') this.end();
  }

  write(frame: Uint8Array): void {
    if (this.#early) this.#early.push(frame);
    else this.writer.op('write', this.id, frame);
  }

  queued(): number {
    if (this.#early) return this.#early.reduce((bytes, frame) => bytes + frame.byteLength, this.socket?.writableLength ?? 0);
    return this.#queued;
  }

  /** The writer's word on what this stream has queued. */
  reported(bytes: number): void {
    this.#queued = bytes;
  }

  end(): void {
    if (this.#early) {
      this.#ended ??= 'end';
      return;
    }
    this.writer.op('end', this.id);
    this.writer.let(this);
  }

  abort(): void {
    if (this.#early) {
      this.#ended = 'abort';
      this.#res?.destroy();
      return;
    }
    this.writer.op('abort', this.id);
    this.writer.let(this);
  }
}

/**
 * The server's side of the writer process: forks it when the server starts (and again when a
 * stream is handed over after it died), hands it sockets, and sends it what to write, batched.
 */
export class StreamWriter {
  #child: ChildProcess | null = null;
  readonly #handed = new Map<number, HandedSink>();
  #lastId = 0;
  /** Times the process died with streams open (they were closed, and their clients reconnected). */
  exits = 0;
  #ops: Op[] = [];
  #flushQueued = false;

  constructor(private readonly fork: () => ChildProcess) {}

  /** Starts the process now, not when the first stream opens. */
  start(): void {
    this.#started();
  }

  /** A stream's sink that writes through this writer. */
  sink(res: ServerResponse): HandedSink {
    return new HandedSink(this, res);
  }

  nextId(): number {
    return ++this.#lastId;
  }

  /** Streams handed over and not yet let go. */
  get size(): number {
    return this.#handed.size;
  }

  open(sink: HandedSink, bytes: Uint8Array): void {
    const child = this.#started();
    this.#flush();
    this.#handed.set(sink.id, sink);
    // Its bare handle, not the socket: Node would count a server's socket as the writer's
    // connection, and this server's close() would then wait for the writer to report it gone. Kept
    // open until sent (the writer then has its own descriptor), and closed here after.
    const handle = (sink.socket as Socket & { _handle: unknown })._handle as SendHandle;
    child.send({ t: 'open', id: sink.id, bytes, bound: env.SSE_MAX_QUEUE_BYTES }, handle, { keepOpen: true }, (error) => {
      if (!error) return sink.letGo();
      // Not handed over (the client left meanwhile, or the writer died): the stream ends, and a client still there reconnects.
      logger.error({ err: error }, 'stream writer: socket not handed over');
      this.#lost(sink.id);
    });
  }

  /** Queues an order for one stream: orders of a slice go as one message per run of the same frame. */
  op(t: Op['t'], id: number, frame?: Uint8Array): void {
    const last = this.#ops.at(-1);
    if (last && last.t === t && (t !== 'write' || (last.t === 'write' && last.frame === frame))) last.ids.push(id);
    else this.#ops.push(t === 'write' ? { t, frame: frame!, ids: [id] } : { t, ids: [id] });
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  /** A stream this process ends: the writer ends it, after what it has queued. */
  let(sink: HandedSink): void {
    this.#handed.delete(sink.id);
    sink.letGo();
  }

  #flush(): void {
    this.#flushQueued = false;
    const ops = this.#ops;
    if (ops.length === 0) return;
    this.#ops = [];
    // No writer: the streams these are for closed with the last one.
    const child = this.#child;
    if (!child) return;
    for (const op of ops) child.send({ ...op, ids: Int32Array.from(op.ids) });
  }

  /** A stream whose client has gone, as the writer says (or whose writer has); one this process ended is gone already. */
  #lost(id: number): void {
    const sink = this.#handed.get(id);
    if (!sink) return;
    this.#handed.delete(id);
    sink.left();
  }

  #started(): ChildProcess {
    if (this.#child) return this.#child;
    const child = this.fork();
    this.#child = child;
    child.on('message', (report: Report) => {
      if (report.t === 'queued') this.#handed.get(report.id)?.reported(report.bytes);
      else for (const id of report.ids) this.#lost(id);
    });
    child.on('error', (error) => logger.error({ err: error }, 'stream writer: message not sent'));
    child.once('exit', (code, signal) => {
      this.#child = null;
      if (this.#handed.size === 0) return;
      this.exits++;
      // Its streams' connections closed with it: their clients reconnect and replay.
      logger.error({ code, signal, streams: this.#handed.size }, 'stream writer exited: its streams are closed');
      for (const id of [...this.#handed.keys()]) this.#lost(id);
    });
    // The writer does not keep the server running; it ends itself once the server is gone.
    child.unref();
    child.channel?.unref();
    return child;
  }
}

const shared = globalThis as typeof globalThis & { rosterStreamWriter?: StreamWriter } & Record<symbol, unknown>;

/** Whether this is `npm start` (server.ts), which offers how to start the writer. */
export const hasStreamWriter = () => typeof shared[FORK_STREAM_WRITER] === 'function';

/** `npm start`'s writer; on globalThis, as each bundle has its own copy of this module. */
export function streamWriter(): StreamWriter {
  const fork = shared[FORK_STREAM_WRITER];
  if (typeof fork !== 'function') throw new Error('the stream writer is started by npm start (server.ts)');
  return (shared.rosterStreamWriter ??= new StreamWriter(fork as () => ChildProcess));
}
