// The stream writer: a child process `npm start` hands each open stream's socket to (writer.ts),
// so the frames' writes — 10,000 syscalls an event at 10,000 streams, a quarter of a thread at 2
// events a second (docs/benchmarks.md) — leave the thread that renders pages and answers the API.
// The server keeps every stream's state and decides what each is sent; this process only writes
// what it is told to the sockets it is told, in the order told, and says which clients fall behind.
// Run by Node itself (its type stripping), so it imports nothing of the app's TypeScript.
import 'server-only';
import { Socket, type SocketConstructorOpts } from 'node:net';

/** What the server sends: lib/server/events/writer.ts. */
type Order =
  | { t: 'open'; id: number; bytes: Uint8Array; bound: number }
  | { t: 'write'; frame: Uint8Array; ids: Int32Array }
  | { t: 'end' | 'abort'; ids: Int32Array };

/** What it answers: a stream's queued bytes, once they pass the bound and again when they drain; the clients gone. */
export type Report = { t: 'queued'; id: number; bytes: number } | { t: 'closed'; ids: Int32Array };

const sockets = new Map<number, Socket>();
/** Streams said to be over the bound, which are told again when they drain. */
const behind = new Set<number>();
let bound = Number.POSITIVE_INFINITY;

/** Tells the server; not once it is gone (its streams then end here on their own). */
const report = (message: Report) => {
  if (process.connected) process.send?.(message);
};

/** A socket's stream id, on the socket: its listeners are shared functions, not two closures for each of 10,000 sockets. */
const ID = Symbol('stream');
type Tagged = Socket & { [ID]?: number };

function dropped(this: Socket): void {
  this.destroy();
}

/** Streams closed since the last report of them: 10,000 clients leaving at once are a few messages, not 10,000. */
let gone: number[] = [];

function reportGone(): void {
  report({ t: 'closed', ids: Int32Array.from(gone) });
  gone = [];
}

function closed(this: Tagged): void {
  const id = this[ID];
  if (id === undefined || !sockets.delete(id)) return;
  behind.delete(id);
  // The server holds no copy of the socket: this is how it hears the client leave.
  if (gone.push(id) === 1) setImmediate(reportGone);
}

function write(id: number, frame: Uint8Array): void {
  const socket = sockets.get(id);
  if (!socket || socket.destroyed) return;
  socket.write(frame);
  // Past the bound the server drops the stream at its next event (connections.ts): it reconnects and replays.
  if (socket.writableLength > bound) {
    report({ t: 'queued', id, bytes: socket.writableLength });
    if (!behind.has(id)) {
      behind.add(id);
      socket.once('drain', () => behind.delete(id) && report({ t: 'queued', id, bytes: 0 }));
    }
  }
}

process.on('message', (order: Order, handle?: unknown) => {
  switch (order.t) {
    case 'open': {
      if (!handle) return;
      // The socket's bare handle (writer.ts says why): a socket again here.
      const socket = new Socket({ handle, readable: true, writable: true } as SocketConstructorOpts);
      bound = order.bound;
      sockets.set(order.id, socket);
      (socket as Tagged)[ID] = order.id;
      socket.on('error', dropped);
      socket.once('close', closed);
      // Read (and drop) what the client sends, to hear at once when it closes: an SSE client sends nothing more.
      socket.resume();
      if (order.bytes.byteLength > 0) socket.write(order.bytes);
      return;
    }
    case 'write':
      for (const id of order.ids) write(id, order.frame);
      return;
    case 'end':
      for (const id of order.ids) sockets.get(id)?.end();
      return;
    case 'abort':
      for (const id of order.ids) sockets.get(id)?.destroy();
      return;
  }
});

// The server is gone (it exited, or crashed): its streams end once what is queued has gone, and
// this process with the last of them (nothing else keeps it running), or after 5 s for clients
// that stopped reading.
process.once('disconnect', () => {
  for (const socket of sockets.values()) socket.end();
  setTimeout(() => process.exit(0), 5_000).unref();
});
