// Runs once when the server starts. Node-only code lives in its own modules, so the Edge
// build of this file never sees it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  await import('./lib/startup');
  // `npm start`'s server (server.ts) serves GET /events itself, with this route's own GET: it
  // finds the handler here, once the app has started, compiled with the rest of the app.
  const [{ GET }, { serveFromNode, SERVE_EVENTS }] = await Promise.all([import('./app/events/route'), import('./lib/events/node-server')]);
  Object.assign(globalThis, { [SERVE_EVENTS]: serveFromNode(GET) });
}
