import type { Instrumentation } from 'next';
import type { NodeEdge } from './lib/server/node-edge';

// Runs once when the server starts. Node-only code lives in its own modules, so the Edge
// build of this file never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  // Tracing first, so everything after it is traced; without a receiver the SDK is never loaded.
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) (await import('./lib/server/tracing-sdk')).startTracing();
  await import('./lib/server/startup');
  // `npm start`'s server (server.ts) serves GET /events and POST /api/presence itself, with these
  // routes' own handlers, and answers what Next.js cannot take: it finds them here, once the app
  // has started, compiled with the rest of the app.
  const [events, { receiveReport }, { serveFromNode, serveJsonFromNode }, { NODE_EDGE, failedOutside, refuseTunnel, refuseUnparsed, screenRequest }, { countRequest }, { hasStreamWriter, streamWriter }] = await Promise.all([
    import('./app/events/route'),
    import('./lib/server/presence/report'),
    import('./lib/server/events/node-server'),
    import('./lib/server/node-edge'),
    import('./lib/server/requests-in-flight'),
    import('./lib/server/events/writer'),
  ]);
  // Under `npm start`, the process the streams' sockets are handed to: started with the server, not by the first stream.
  if (hasStreamWriter()) streamWriter().start();
  // A presence report is the route's own work (receiveReport), without a Web Request or Response.
  const direct = { 'GET /events': serveFromNode(events.GET), 'POST /api/presence': serveJsonFromNode(receiveReport) };
  const edge: NodeEdge = { direct, screenRequest, refuseUnparsed, refuseTunnel, failedOutside, countRequest };
  Object.assign(globalThis, { [NODE_EDGE]: edge });
}

/** One JSON log line, with the request id, for each error Next.js catches while serving a request. */
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { logRequestError } = await import('./lib/server/console-log');
  logRequestError(error, request, context);
};
