import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gates, WALKS_GO_FIRST } from './give-way';
import { timeRequest } from './metrics';
import { routeOf } from './route-pattern';

// Requests this process is answering right now (not streams), as `npm start`'s server counts them
// (server.ts, through instrumentation.ts), each timed by route and status for /api/metrics, and each
// holding back the background work that lets it go first (give-way.ts): an import's next batch,
// and the streams' fan-out, a few milliseconds at a time (lib/server/events/slices.ts).

/** Counts `res` in flight until it closes, and times it; an import and the streams' walks let it go first. */
export function countRequest(req: IncomingMessage, res: ServerResponse): void {
  const route = routeOf(req.url ?? '/');
  const releaseJobs = gates.jobs.hold();
  const releaseWalks = WALKS_GO_FIRST.has(`${req.method} ${route}`) ? undefined : gates.walks.hold();
  const closed = new Promise<number>((resolve) =>
    res.once('close', () => {
      releaseJobs();
      releaseWalks?.();
      resolve(res.statusCode);
    }),
  );
  timeRequest(req.method ?? 'GET', route, closed);
}
