// The server's event-loop delay over a stretch of the benchmark: prom-client's default metrics
// (perf_hooks.monitorEventLoopDelay, sampled every 1 ms) in /api/metrics, whose histogram is
// reset at every scrape. So: scrape once to start the stretch, once to read it.
import { request } from './servers';

/** Milliseconds: how late the event loop got to a timer, p99 and worst, over the stretch. */
export type LoopDelay = { p99: number; max: number };

const secondsOf = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

async function scrape(port: number): Promise<string> {
  const { status, text } = await request(port, 'GET', '/api/metrics');
  if (status !== 200) throw new Error(`GET /api/metrics answered ${status}`);
  return text;
}

/** Starts a stretch on the server at `port`; what it returns reads the stretch's delay. */
export async function loopDelaySince(port: number): Promise<() => Promise<LoopDelay>> {
  await scrape(port);
  return async () => {
    const text = await scrape(port);
    return { p99: secondsOf(text, 'nodejs_eventloop_lag_p99_seconds') * 1_000, max: secondsOf(text, 'nodejs_eventloop_lag_max_seconds') * 1_000 };
  };
}
