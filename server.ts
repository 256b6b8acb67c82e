// `npm start`: Next.js behind a node:http server that serves the live stream itself. GET /events
// goes to app/events/route.ts's own GET, whose Response is written straight to the socket
// (lib/events/node-server.ts); everything else goes to Next.js as `next start` would serve it.
// An open stream then costs about what a bare socket does, instead of Next.js's ~70 KB response
// pipeline (docs/benchmarks.md). `next dev` and other Next.js hosts serve the same route as it is.
// Run by Node itself (its type stripping), so this file imports nothing of the app's TypeScript.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
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

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
const SERVE_EVENTS = Symbol.for('roster.serveEvents');

/** The stream's handler, which instrumentation.ts leaves once the app has started (hub, limits). */
async function streamHandler(): Promise<NodeHandler> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const handler = (globalThis as Record<symbol, unknown>)[SERVE_EVENTS];
    if (typeof handler === 'function') return handler as NodeHandler;
    if (Date.now() > deadline) {
      console.error(`Roster refuses to start: the app did not start within ${STARTUP_TIMEOUT_MS / 1000} s.`);
      process.exit(1);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const app = next({ dev: false, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const serveEvents = await streamHandler();

const isStream = (req: IncomingMessage) => req.method === 'GET' && (req.url === '/events' || req.url?.startsWith('/events?') === true);
const server = createServer((req, res) => {
  (isStream(req) ? serveEvents(req, res) : handle(req, res)).catch((error: unknown) => {
    // Both answer errors themselves; this is the last resort, so one request cannot take the process down.
    console.error('Roster: a request failed outside its handler:', error);
    res.destroy();
  });
});
server.listen(port, hostname, () => {
  console.log(`✓ Ready in ${Date.now() - startedAt}ms on http://${hostname ?? 'localhost'}:${port}`);
});

// The app ends its streams on these signals (lib/startup.ts, registered first); then stop
// accepting, let the requests in flight finish, and exit as `next start` does (128 + signal).
for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
  process.once(signal, () => {
    server.close(() => void app.close().finally(() => process.exit(code)));
    server.closeIdleConnections();
  });
}
