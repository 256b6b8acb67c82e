import 'server-only';
import type { ServerResponse } from 'node:http';

// Requests this process is answering right now (not streams), as `npm start`'s server counts them
// (server.ts, through instrumentation.ts). Background work — an import's batches — gives way while
// there are any, so a page asked for during an import waits for one batch at most. On globalThis:
// the server's count and the jobs' reading live in separately bundled modules.

const counter = ((globalThis as typeof globalThis & { rosterRequestsInFlight?: { count: number } }).rosterRequestsInFlight ??= { count: 0 });

/** Counts `res` in flight until it closes. */
export function countRequest(res: ServerResponse): void {
  counter.count++;
  res.once('close', () => counter.count--);
}

export const requestsInFlight = (): number => counter.count;
