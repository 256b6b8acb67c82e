// `npm start`: Next.js behind a node:http server that serves the live stream itself. GET /events
// goes to app/events/route.ts's own GET, whose frames are written straight to the socket, by a
// child process (lib/server/events/node-server.ts, writer.ts); everything else goes to Next.js as
// `next start` would serve it.
// An open stream then costs about what a bare socket does, instead of Next.js's ~70 KB response
// pipeline (docs/benchmarks.md). So does every open page's presence report (POST /api/presence,
// app/api/presence/route.ts's own POST): 10,000 pages send 1,000 a second, more than Next.js's
// pipeline serves on two cores. `next dev` and other Next.js hosts serve the same routes as they are.
// Run by Node itself (its type stripping), so this file imports nothing of the app's TypeScript.
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { parseArgs } from 'node:util';
import next from 'next';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', short: 'p' },
    hostname: { type: 'string', short: 'H' },
  },
});
const port = Number(args.port ?? process.env.PORT ?? 3000);
// Every interface unless -H says otherwise; like `next start`, not HOSTNAME, which containers set to their name.
const hostname = args.hostname;
const startedAt = Date.now();
const STARTUP_TIMEOUT_MS = 60_000;

type NodeEdge = {
  direct: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  screenRequest: (req: IncomingMessage, res: ServerResponse) => boolean;
  refuseUnparsed: (error: Error, socket: Duplex) => void;
  refuseTunnel: (req: IncomingMessage, socket: Duplex) => void;
  failedOutside: (error: unknown, req: IncomingMessage, res: ServerResponse) => void;
  countRequest: (req: IncomingMessage, res: ServerResponse) => void;
};
const NODE_EDGE = Symbol.for('roster.nodeEdge');

/** What instrumentation.ts leaves once the app has started (hub, limits): lib/node-edge.ts. */
async function nodeEdge(): Promise<NodeEdge> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const edge = (globalThis as Record<symbol, unknown>)[NODE_EDGE];
    if (edge) return edge as NodeEdge;
    if (Date.now() > deadline) {
      console.error(`Roster refuses to start: the app did not start within ${STARTUP_TIMEOUT_MS / 1000} s.`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

// The streams' writes leave this thread: each open stream's socket goes to a child process that
// writes its frames (lib/server/events/writer.ts, which starts it with the app, and again should it die).
const WRITER = new URL('./lib/server/events/writer-process.ts', import.meta.url);
(globalThis as Record<symbol, unknown>)[Symbol.for('roster.forkStreamWriter')] = () => {
  // Its own small young generation: its garbage (a write request per frame) dies at once, and
  // this process's larger one (package.json) would hold up to 48 MB of it between collections.
  // react-server: the condition under which its `server-only` mark is the empty module, as in Next.js.
  const execArgv = ['--max-semi-space-size=1', '--conditions=react-server'];
  const child = fork(WRITER, [], { execArgv, serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid) setPriority(child.pid, 10);
  return child;
};

const app = next({ dev: false, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const edge = await nodeEdge();

// What is counted per client address (sign-in attempts, refused requests) reads X-Forwarded-For.
// With no proxy in front (TRUSTED_PROXY_HOPS=0, the default) a client could write its own and be
// counted afresh on every request, so the socket's peer address replaces whatever it sent. Behind
// proxies, they append to it, and the app reads the entry TRUSTED_PROXY_HOPS from the right.
const noTrustedProxy = Number(process.env.TRUSTED_PROXY_HOPS || 0) === 0;
function countPeer(req: IncomingMessage): void {
  if (noTrustedProxy && req.socket.remoteAddress) req.headers['x-forwarded-for'] = req.socket.remoteAddress;
}

const STREAM = 'GET /events';
const server = createServer((req, res) => {
  countPeer(req);
  if (edge.screenRequest(req, res)) return;
  const route = `${req.method} ${(req.url ?? '/').split('?')[0]}`;
  // Counted while answered (an import's batches give way to it) and timed: lib/server/requests-in-flight.ts.
  // A stream is neither: it is open for hours, and counted as a stream.
  if (route !== STREAM) edge.countRequest(req, res);
  // Each answers its errors itself; the catch is the last resort, so one request cannot take the process down.
  const direct = edge.direct[route];
  (direct ?? handle)(req, res).catch((error: unknown) => edge.failedOutside(error, req, res));
});
server.on('clientError', (error, socket) => edge.refuseUnparsed(error, socket));
server.on('connect', (req, socket) => edge.refuseTunnel(req, socket));
server.listen(port, hostname, () => {
  console.log(`✓ Ready in ${Date.now() - startedAt}ms on http://${hostname ?? 'localhost'}:${port}`);
});

// The app ends its streams on these signals (lib/server/startup.ts, registered first); then stop
// accepting, let the requests in flight finish, and exit as `next start` does (128 + signal).
for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  process.once(signal, () => {
    server.close(() => void app.close().finally(() => process.exit(code)));
    server.closeIdleConnections();
  });
}
