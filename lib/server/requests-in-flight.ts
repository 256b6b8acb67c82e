import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { holdWalks } from './events/slices';
import { timeRequest } from './metrics';
import { routeOf } from './route-pattern';

// Requests this process is answering right now (not streams), as `npm start`'s server counts them
// (server.ts, through instrumentation.ts), each timed by route and status for /api/metrics.
// Background work — an import's batches — gives way while there are any, so a page asked for
// during an import waits for one batch at most; the streams' fan-out does too, for a few
// milliseconds at a time (lib/server/events/slices.ts). On globalThis: the server's count and the jobs'
// reading live in separately bundled modules.

const counter = ((globalThis as typeof globalThis & { rosterRequestsInFlight?: { count: number } }).rosterRequestsInFlight ??= { count: 0 });

/**
 * What the streams' walks do not wait for: presence reports, which wait for the walks instead
 * (lib/server/presence/report.ts), and transfers that last seconds (an export, a job's report, an upload).
 */
const WALKS_GO_FIRST = new Set(['POST /api/presence', 'GET /api/users/export', 'GET /api/jobs/[id]/report', 'POST /api/users/import']);

/** Counts `res` in flight until it closes, and times it; the streams' walks let it go first. */
export function countRequest(req: IncomingMessage, res: ServerResponse): void {
  const route = routeOf(req.url ?? '/');
  const release = WALKS_GO_FIRST.has(`${req.method} ${route}`) ? undefined : holdWalks();
  counter.count++;
  const closed = new Promise<number>((resolve) =>
    res.once('close', () => {
      counter.count--;
      release?.();
      resolve(res.statusCode);
    }),
  );
  timeRequest(req.method ?? 'GET', route, closed);
}

export const requestsInFlight = (): number => counter.count;
