// The benchmark's report: one row per server (an instance of a several-instance target gets its
// own), then latency and delivery side by side per target and size.
import os from 'node:os';
import type { Pages } from './pages';
import type { Summary } from './stats';

export type Row = {
  target: string;
  /** For a several-instance target: 'A' takes every write (same instance), the others hear of it through Redis. */
  instance?: string;
  /** All the target's subscribers … */
  subscribers: number;
  /** … and those on this row's instance. */
  onInstance: number;
  connected: number;
  connectAllMs: number;
  connectP99Ms: number;
  delivery: number;
  latency: Summary;
  idleRssMb: number;
  rssMb: number;
  rssPerConnKb: number;
  backToIdleMs: number;
  /** Pages and the API on the instance that takes the writes, with no stream open and with all of them. */
  pages?: { idle: Pages; loaded: Pages };
};

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const label = (row: Row) => (row.instance === undefined ? row.target : `${row.target} ${row.instance} (${row.instance === 'A' ? 'same' : 'cross'})`);

export function report(rows: Row[], events: number, rate: number, nodeVersion: string): string {
  const lines = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, servers on Node ${nodeVersion}; ${events} events at ${rate}/s`,
    '',
    '| target | subscribers | delivered | p50 ms | p99 ms | max ms | p99 vs floor | connect all ms | RSS MB (idle → loaded) | KB / connection | back to idle ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const floor = rows.find((r) => r.target === 'floor' && r.subscribers === row.subscribers);
    const ratio = floor ? row.latency.p99 / floor.latency.p99 : Number.NaN;
    const subscribers = row.onInstance === row.subscribers ? `${row.subscribers}` : `${row.onInstance} of ${row.subscribers}`;
    lines.push(
      `| ${label(row)} | ${subscribers} | ${f(row.delivery, 4)} | ${f(row.latency.p50, 1)} | ${f(row.latency.p99, 1)} | ${f(row.latency.max, 1)} | ${f(ratio, 2)}× | ${f(row.connectAllMs)} | ${f(row.idleRssMb)} → ${f(row.rssMb)} | ${f(row.rssPerConnKb, 1)} | ${f(row.backToIdleMs)} |`,
    );
  }
  const sizes = [...new Set(rows.map((row) => row.subscribers))];
  const series = [...new Set(rows.map(label))];
  lines.push(
    '',
    `| p50 / p99 ms (delivered) | ${sizes.map((size) => `${size} subscribers`).join(' | ')} |`,
    `| --- |${' ---: |'.repeat(sizes.length)}`,
  );
  for (const name of series) {
    const cells = sizes.map((size) => {
      const row = rows.find((r) => label(r) === name && r.subscribers === size);
      return row ? `${f(row.latency.p50, 1)} / ${f(row.latency.p99, 1)} (${f(row.delivery, 4)})` : '';
    });
    lines.push(`| ${name} | ${cells.join(' | ')} |`);
  }
  const probed = rows.filter((row) => row.pages);
  if (probed.length > 0) {
    lines.push(
      '',
      '| pages while users are created (p50 / p95 ms) | subscribers | GET / (dashboard), no streams | … with the subscribers | GET /api/users, no streams | … with the subscribers |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of probed) {
      const { idle, loaded } = row.pages!;
      const cell = (s: Summary) => `${f(s.p50, 1)} / ${f(s.p95, 1)}`;
      lines.push(`| ${label(row)} | ${row.onInstance} | ${cell(idle.page)} | ${cell(loaded.page)} | ${cell(idle.api)} | ${cell(loaded.api)} |`);
    }
  }
  if (rows.some((row) => row.instance !== undefined)) {
    lines.push('', 'Subscribers split evenly across the instances; A takes every create (same instance), B hears of it through Redis (cross-instance).');
  }
  return lines.join('\n');
}
