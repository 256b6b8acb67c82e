import 'server-only';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { connections, hub } from './events';
import { observeSlices } from './events/slices';
import { hasStreamWriter, streamWriter } from './events/writer';
import { presence } from './presence';
import type { Transport } from '@/lib/shared/presence';

// What /api/metrics exposes, kept by prom-client (the Prometheus client Node's ecosystem keeps)
// rather than text formatted by hand: its default process metrics (event-loop lag, GC, heap,
// handles, resident memory), the requests `npm start` answers by route and status, imports'
// progress, and the live-update counters /api/health reads too. On globalThis: the server's
// request timing (server.ts, through instrumentation.ts), the jobs and the route handlers are
// bundled apart, and each would otherwise count into a registry of its own.

type Metrics = {
  registry: Registry;
  /** Pages this process has read from the database (GET /api/users and the dashboard). */
  pageReads: number;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  importRows: Counter<'outcome'>;
  delivery: Histogram<'transport'>;
};

/** Commit → on screen, in seconds: 25 ms steps where a live view should be (under a fifth of a second), coarser past it. */
export const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.125, 0.15, 0.175, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

/**
 * A metric whose value lives elsewhere (the hub, the streams), read when scraped. A counter's is
 * set by reset and add: prom-client counters only go up, and this one already counts from zero.
 */
function readOnScrape(registry: Registry, kind: 'gauge' | 'counter', name: string, help: string, read: () => number): void {
  if (kind === 'gauge') {
    new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
    return;
  }
  new Counter({ name, help, registers: [registry], collect() { this.reset(); this.inc(read()); } });
}

function create(): Metrics {
  const registry = new Registry();
  // The event-loop delay sampled every 1 ms, not prom-client's 10: perf_hooks counts the wait for
  // the next sample in each delay, so at 10 ms an idle loop read 10.7 ms at p99 and a 15 ms task
  // 21 ms; at 1 ms, 1.2 and 15.1 (docs/benchmarks.md). The timer costs about 2% of a core.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 1 });
  const metrics: Metrics = {
    registry,
    pageReads: 0,
    requestSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Requests `npm start` answered (not the stream), from arrival until the response closed, by route pattern and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    importRows: new Counter({
      name: 'roster_import_rows_total',
      help: 'Rows of CSV imports this instance has read, by what became of them: created, updated, unchanged, failed.',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    delivery: new Histogram({
      name: 'roster_event_delivery_seconds',
      help: "From an event's commit to its being applied on a screen, as the screens report it (measured on the server's clock), by how the screen is connected.",
      labelNames: ['transport'],
      buckets: DELIVERY_BUCKETS,
      registers: [registry],
    }),
  };
  const slices = new Histogram({
    name: 'roster_fanout_slice_seconds',
    help: 'How long each slice of a walk over the open streams (an event\'s fan-out, a heartbeat, who is here) held the event loop before giving it back.',
    buckets: [0.0005, 0.001, 0.002, 0.004, 0.006, 0.008, 0.012, 0.016, 0.025, 0.05, 0.1],
    registers: [registry],
  });
  observeSlices((seconds) => slices.observe(seconds));
  new Gauge({
    name: 'roster_dashboards',
    help: 'Open Roster pages whose last report reached this instance, by how they are live: sse (the stream) or polling (the stream is down). Summed over instances, each page counts once.',
    labelNames: ['transport'],
    registers: [registry],
    collect() {
      for (const [transport, count] of Object.entries(presence.transports())) this.set({ transport }, count);
    },
  });
  readOnScrape(registry, 'gauge', 'roster_people_here', 'People (signed-in accounts, not tabs) with Roster open on any instance.', () => presence.people().people.length);
  readOnScrape(registry, 'gauge', 'roster_hub_degraded', '1 while instances cannot ring each other (Redis unreachable); events still arrive by polling.', () => Number(hub.degraded));
  readOnScrape(registry, 'gauge', 'roster_sse_subscribers', 'Open SSE streams on this instance.', () => connections.size);
  readOnScrape(registry, 'gauge', 'roster_last_event_id', 'Id of the newest event this instance knows.', () => hub.lastEventId);
  readOnScrape(registry, 'counter', 'roster_events_published_total', 'Events this instance has read from the log and sent to its streams.', () => hub.eventsPublished);
  readOnScrape(registry, 'counter', 'roster_page_reads_total', 'Pages of users read from the database (GET /api/users, the dashboard).', () => metrics.pageReads);
  readOnScrape(registry, 'counter', 'roster_sse_connections_refused_total', 'SSE connections refused (limit or shutdown).', () => connections.refused);
  readOnScrape(registry, 'counter', 'roster_sse_slow_consumers_dropped_total', 'SSE clients disconnected for not keeping up.', () => connections.slowConsumersDropped);
  readOnScrape(registry, 'counter', 'roster_stream_writer_exits_total', "Times `npm start`'s stream writer process died with streams open (they closed; their clients reconnected).", () => (hasStreamWriter() ? streamWriter().exits : 0));
  return metrics;
}

const globalForMetrics = globalThis as typeof globalThis & { rosterMetrics?: Metrics };
const metrics = (globalForMetrics.rosterMetrics ??= create());

/** Called by the data layer for every page it reads. */
export function countPageRead(): void {
  metrics.pageReads++;
}

/** Called by an import for each batch: how many of its rows were created, updated, left unchanged, or failed. */
export function countImportRows(counts: { created: number; updated: number; unchanged: number; failed: number }): void {
  for (const [outcome, rows] of Object.entries(counts)) if (rows > 0) metrics.importRows.inc({ outcome }, rows);
}

/** One screen's delivery time for one event (lib/server/delivery.ts). */
export function observeDelivery(transport: Transport, seconds: number): void {
  metrics.delivery.observe({ transport }, seconds);
}

/** Times a request `npm start` answers, under its route pattern (routeOf), by status once it closes. */
export function timeRequest(method: string, route: string, closed: Promise<number>): void {
  const end = metrics.requestSeconds.startTimer({ method, route });
  void closed.then((status) => end({ status: String(status) }));
}

/** The live-update counters, for /api/health (JSON). */
export function eventStats() {
  return {
    /** Instances cannot ring each other (Redis unreachable): live updates arrive by polling, within a second. */
    degraded: hub.degraded,
    subscribers: connections.size,
    lastEventId: hub.lastEventId,
    eventsPublished: hub.eventsPublished,
    connectionsRefused: connections.refused,
    slowConsumersDropped: connections.slowConsumersDropped,
    pageReads: metrics.pageReads,
  };
}

/** Everything, in Prometheus's text exposition format, and its content type. */
export async function prometheusText(): Promise<{ text: string; contentType: string }> {
  return { text: await metrics.registry.metrics(), contentType: metrics.registry.contentType };
}
