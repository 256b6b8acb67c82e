// Part 6: how live it is, as the screens report it (roster_event_delivery_seconds) against the
// bench's own measurement of the same events, from the same moment: 20 dashboards (one browser
// context) watch while 40 users are created at 2 a second; the bench takes when each row appears
// in each page (a MutationObserver, on the wall clock) minus the user's createdAt (written in the
// create's transaction: its commit), both this machine's clock; then it waits for every page's
// next report (every 20 s) and reads the histogram's growth from /api/metrics.
import { type Browser } from '@playwright/test';
import type { UserDTO } from '../../lib/shared/dto';
import { REPORT_EVERY_MS } from '../../lib/shared/presence';
import { parsePrometheus } from '../../tests/support/prometheus';
import { request, sleep } from '../servers';
import { summarize, type Summary } from '../stats';
import { signedInContext, waitConnected } from './browser';
import { RUN, now } from './config';

const PAGES = 20;
const CREATES = 40;
const RATE = 2;
/** A page reports every REPORT_EVERY_MS: wait for one more round after the last create, and some. */
const REPORT_WAIT_MS = REPORT_EVERY_MS + 2_500;

export type Delivery = {
  /** Commit (the user's createdAt) → row in the page, every page and create (ms). */
  bench: Summary;
  /** The histogram's samples added meanwhile (transport sse), and its p50 / p99 by bucket interpolation (ms). */
  screens: { samples: number; p50: number; p99: number };
  missed: number;
  problems: string[];
};

type Buckets = { bounds: number[]; counts: number[] };

/** The cumulative buckets of roster_event_delivery_seconds{transport="sse"}, bounds in ms. */
async function deliveryBuckets(port: number): Promise<Buckets> {
  const { status, text } = await request(port, 'GET', '/api/metrics');
  if (status !== 200) throw new Error(`GET /api/metrics answered ${status}`);
  const series = parsePrometheus(text).get('roster_event_delivery_seconds')?.metrics.find((sample) => sample.labels.transport === 'sse');
  const entries = Object.entries(series?.buckets ?? {})
    .map(([le, count]) => [Number(le) * 1_000, count] as const)
    .sort((a, b) => a[0] - b[0]);
  return { bounds: entries.map(([bound]) => bound), counts: entries.map(([, count]) => count) };
}

/** histogram_quantile over what was added between two scrapes (cumulative counts), as Prometheus computes it. */
function quantile(q: number, before: Buckets, after: Buckets): number {
  const added = after.counts.map((count, i) => count - (before.counts[i] ?? 0));
  const total = added.at(-1) ?? 0;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  const i = added.findIndex((count) => count >= rank);
  const upper = after.bounds[i] ?? Number.NaN;
  if (!Number.isFinite(upper)) return after.bounds.at(-2) ?? Number.NaN;
  const lower = i === 0 ? 0 : (after.bounds[i - 1] ?? 0);
  const below = i === 0 ? 0 : (added[i - 1] ?? 0);
  return lower + (upper - lower) * ((rank - below) / ((added[i] ?? 0) - below));
}

export async function deliveryAgreement(port: number, browser: Browser, base: string, token: string): Promise<Delivery> {
  const context = await signedInContext(browser, base, token);
  const seen = Array.from({ length: PAGES }, () => new Map<number, number>());
  const problems: string[] = [];
  try {
    for (let i = 0; i < PAGES; i++) {
      const page = await context.newPage();
      await page.exposeFunction('__benchSeen', (id: number, at: number) => {
        if (!seen[i]!.has(id)) seen[i]!.set(id, at);
      });
      await page.goto('/', { waitUntil: 'load', timeout: 30_000 });
    }
    for (const page of context.pages()) await waitConnected(page);
    // Past every page's first report, so the samples that follow are all this part's.
    await sleep(REPORT_WAIT_MS);
    const before = await deliveryBuckets(port);
    const committed = new Map<number, number>();
    const started = now();
    for (let k = 0; k < CREATES; k++) {
      await sleep(Math.max(0, started + (k * 1_000) / RATE - now()));
      const { status, text } = await request(port, 'POST', '/api/users', { name: `Dirbench Delivery ${k}`, email: `dirbench-delivery-${k}-${RUN}@bench.local` });
      if (status !== 201) problems.push(`POST /api/users answered ${status}: ${text.slice(0, 200)}`);
      else {
        const user = JSON.parse(text) as UserDTO;
        committed.set(user.id, Date.parse(user.createdAt));
      }
    }
    await sleep(REPORT_WAIT_MS);
    const after = await deliveryBuckets(port);
    const latencies: number[] = [];
    let missed = 0;
    for (const page of seen) {
      for (const [id, at] of committed) {
        const shown = page.get(id);
        if (shown === undefined) missed++;
        else latencies.push(shown - at);
      }
    }
    const samples = (after.counts.at(-1) ?? 0) - (before.counts.at(-1) ?? 0);
    return { bench: summarize(latencies), screens: { samples, p50: quantile(0.5, before, after), p99: quantile(0.99, before, after) }, missed, problems };
  } finally {
    await context.close();
  }
}
