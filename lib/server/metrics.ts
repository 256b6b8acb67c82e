import 'server-only';
import { connections, hub } from './events';

// The counters the live updates and the data layer keep, and their two read-outs.

/** Pages this process has read from the database (GET /api/users and the dashboard). */
const globalForMetrics = globalThis as typeof globalThis & { rosterPageReads?: { count: number } };
const pageReads = (globalForMetrics.rosterPageReads ??= { count: 0 });

/** Called by the data layer for every page it reads. */
export function countPageRead(): void {
  pageReads.count++;
}

/** The live-update counters, for /api/health (JSON) and /api/metrics (Prometheus). */
export function eventStats() {
  return {
    /** Instances cannot ring each other (Redis unreachable): live updates arrive by polling, within a second. */
    degraded: hub.degraded,
    subscribers: connections.size,
    lastEventId: hub.lastEventId,
    eventsPublished: hub.eventsPublished,
    connectionsRefused: connections.refused,
    slowConsumersDropped: connections.slowConsumersDropped,
    pageReads: pageReads.count,
  };
}

/** Prometheus text exposition format, version 0.0.4. */
export function prometheusText(): string {
  const stats = eventStats();
  const metrics: [name: string, type: 'gauge' | 'counter', help: string, value: number][] = [
    ['roster_hub_degraded', 'gauge', '1 while instances cannot ring each other (Redis unreachable); events still arrive by polling.', Number(stats.degraded)],
    ['roster_sse_subscribers', 'gauge', 'Open SSE streams on this instance.', stats.subscribers],
    ['roster_last_event_id', 'gauge', 'Id of the newest event this instance knows.', stats.lastEventId],
    ['roster_events_published_total', 'counter', 'Events this instance has read from the log and sent to its streams.', stats.eventsPublished],
    ['roster_page_reads_total', 'counter', 'Pages of users read from the database (GET /api/users, the dashboard).', stats.pageReads],
    ['roster_sse_connections_refused_total', 'counter', 'SSE connections refused (limit or shutdown).', stats.connectionsRefused],
    ['roster_sse_slow_consumers_dropped_total', 'counter', 'SSE clients disconnected for not keeping up.', stats.slowConsumersDropped],
    ['process_resident_memory_bytes', 'gauge', 'Resident memory size in bytes.', process.memoryUsage.rss()],
  ];
  return metrics.map(([name, type, help, value]) => `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`).join('');
}
