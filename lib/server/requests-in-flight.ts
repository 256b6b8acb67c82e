import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timeRequest } from './metrics';
import { routeOf } from './route-pattern';

// Requests this process is answering right now (not streams), as `npm start`'s server counts them
// (server.ts, through instrumentation.ts), each timed by route and status for /api/metrics.
// Background work — an import's batches — gives way while there are any, so a page asked for
// during an import waits for one batch at most. On globalThis: the server's count and the jobs'
// reading live in separately bundled modules.

const counter = ((globalThis as typeof globalThis & { rosterRequestsInFlight?: { count: number } }).rosterRequestsInFlight ??= { count: 0 });

/** Counts `res` in flight until it closes, and times it. */
export function countRequest(req: IncomingMessage, res: ServerResponse): void {
  counter.count++;
  const closed = new Promise<number>((resolve) =>
    res.once('close', () => {
      counter.count--;
      resolve(res.statusCode);
    }),
  );
  timeRequest(req.method ?? 'GET', routeOf(req.url ?? '/'), closed);
}

export const requestsInFlight = (): number => counter.count;
