import 'server-only';

// Where a stream's bytes go: the sinks a stream writes to, and the claim by which `npm start`'s
// node:http server takes a stream's body over from its ReadableStream (node-server.ts). The
// registry of open streams (connections.ts) writes to a Sink and never asks which one.

/**
 * Where a stream's bytes leave: the body's own ReadableStream controller (any Next.js host reads
 * it), or a node:http response that claimed the stream (`npm start`'s server, server.ts).
 */
export type Sink = {
  write: (frame: Uint8Array) => void;
  /** Bytes written that the client has not taken yet. */
  queued: () => number;
  /** Ends the response once what is queued has gone. */
  end: () => void;
  /** Ends it at once, dropping what is queued. */
  abort: () => void;
};

/**
 * Hands a stream's frames straight to `sink` instead of through its ReadableStream; returns what
 * to call when the client goes away. A symbol from the global registry, not a module-level
 * WeakMap: the server and Next.js's bundles each have their own copy of this module.
 */
const CLAIM = Symbol.for('roster.claimStream');
export type Claim = (sink: Sink) => () => void;

/** Makes `body` claimable: claimOf(body) returns `claim`. */
export function markClaimable(body: ReadableStream<Uint8Array>, claim: Claim): ReadableStream<Uint8Array> {
  return Object.defineProperty(body, CLAIM, { value: claim });
}

/** The claim of a body made by `Connections.open`, or undefined for any other body. */
export function claimOf(body: ReadableStream<Uint8Array>): Claim | undefined {
  const claim: unknown = (body as unknown as Record<symbol, unknown>)[CLAIM];
  return typeof claim === 'function' ? (claim as Claim) : undefined;
}

/** The sink of the Web stream path. Its high-water mark is 0, so desiredSize is minus what is queued. */
export function controllerSink(controller: ReadableStreamDefaultController<Uint8Array>): Sink {
  const quietly = (end: () => void) => {
    try {
      end();
    } catch {
      // the reader already went away
    }
  };
  return {
    write: (frame) => controller.enqueue(frame),
    queued: () => -(controller.desiredSize ?? 0),
    end: () => quietly(() => controller.close()),
    abort: () => quietly(() => controller.error(new Error('SSE client too slow'))),
  };
}

/**
 * The sink before one claims the stream: keeps the frames (and how the stream ended) to hand on,
 * so the rest of a stream's code never asks whether it has been claimed yet.
 */
export class BufferSink implements Sink {
  #frames: Uint8Array[] = [];
  #bytes = 0;
  #ended: 'end' | 'abort' | null = null;

  write(frame: Uint8Array): void {
    this.#frames.push(frame);
    this.#bytes += frame.byteLength;
  }

  queued(): number {
    return this.#bytes;
  }

  end(): void {
    this.#ended ??= 'end';
  }

  abort(): void {
    this.#ended = 'abort';
    this.#frames = [];
  }

  handOn(sink: Sink): void {
    for (const frame of this.#frames) sink.write(frame);
    this.#frames = [];
    this.#bytes = 0;
    if (this.#ended === 'abort') sink.abort();
    else if (this.#ended === 'end') sink.end();
  }
}
