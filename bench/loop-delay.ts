// The server's event-loop delay over a stretch of the benchmark: prom-client's default metrics
// (perf_hooks.monitorEventLoopDelay, sampled every 1 ms) in /api/metrics, whose histogram is
// reset at every scrape. So: scrape once to start the stretch, once to read it. With it, the time
// V8's collector took over the stretch (nodejs_gc_duration_seconds, a running sum): a short
// answer that meets a scavenge is what the pages' p95 is made of (docs/benchmarks.md).
import { request } from './servers';

/**
 * Milliseconds: how late the event loop got to a timer, p99 and worst, over the stretch; and the
 * collector's time per second of it, young generation (minor) and old (major and its incremental steps).
 */
export type LoopDelay = { p99: number; max: number; gcMsPerSecond: { minor: number; major: number } };

const secondsOf = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);

/** Seconds the collector has taken so far, by kind (prom-client: minor, major, incremental, weakcb). */
function gcSeconds(text: string): { minor: number; major: number } {
  const of = (kind: string) => Number(new RegExp(`^nodejs_gc_duration_seconds_sum\\{kind="${kind}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { minor: of('minor'), major: of('major') + of('incremental') };
}

async function scrape(port: number): Promise<string> {
  const { status, text } = await request(port, 'GET', '/api/metrics');
  if (status !== 200) throw new Error(`GET /api/metrics answered ${status}`);
  return text;
}

/** Starts a stretch on the server at `port`; what it returns reads the stretch's delay. */
export async function loopDelaySince(port: number): Promise<() => Promise<LoopDelay>> {
  const before = gcSeconds(await scrape(port));
  const started = performance.now();
  return async () => {
    const text = await scrape(port);
    const after = gcSeconds(text);
    const perSecond = (seconds: number) => (seconds * 1_000) / ((performance.now() - started) / 1_000);
    return {
      p99: secondsOf(text, 'nodejs_eventloop_lag_p99_seconds') * 1_000,
      max: secondsOf(text, 'nodejs_eventloop_lag_max_seconds') * 1_000,
      gcMsPerSecond: { minor: perSecond(after.minor - before.minor), major: perSecond(after.major - before.major) },
    };
  };
}
