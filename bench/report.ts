// The benchmark's report: one row per server (an instance of a several-instance target gets its
// own), then latency and delivery side by side per target and size.
import os from 'node:os';
import type { LoopDelay } from './loop-delay';
import type { Pages } from './pages';
import type { Summary } from './stats';

/** Pages at the steady rate, and in the burst. */
type PagesAt = { steady: Pages; burst?: Pages };

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
  /**
   * The same, less V8's young generation (idle and loaded): a pool of up to twice
   * --max-semi-space-size that V8 grows while garbage comes fast and shrinks in a quiet moment,
   * whatever the number of connections (bench/heap-probe.mjs).
   */
  rssPerConnWithoutYoungKb: number;
  youngMb: { idle: number; loaded: number };
  /** The heap kept per connection: in use after a full garbage collection, loaded less idle (bench/heap-probe.mjs). */
  heapPerConnKb: number;
  backToIdleMs: number;
  /** The burst after the steady events, measured on its own. */
  burst?: { rate: number; seconds: number; delivery: number; latency: Summary };
  /** The writer instance's event-loop delay while the steady events and the burst fanned out (Roster only). */
  loop?: { steady?: LoopDelay; burst?: LoopDelay };
  /** The creates' answers (ms) with every stream open, in each phase (the writer instance's row). */
  creates?: { steady: Summary; burst: Summary | undefined };
  /** Pages and the API on the instance that takes the writes, with no stream open and with all of them. */
  pages?: { idle: PagesAt; loaded: PagesAt };
};

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
const label = (row: Row) => (row.instance === undefined ? row.target : `${row.target} ${row.instance} (${row.instance === 'A' ? 'same' : 'cross'})`);

export function report(rows: Row[], events: number, rate: number, nodeVersion: string): string {
  const lines = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, servers on Node ${nodeVersion}; ${events} events at ${rate}/s`,
    '',
    '| target | subscribers | delivered | p50 ms | p99 ms | max ms | p99 vs floor | connect all ms | RSS MB (idle → loaded) | KB / connection | young generation MB (idle → loaded) | KB / connection without it | heap kept KB / connection | back to idle ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const floor = rows.find((r) => r.target === 'floor' && r.subscribers === row.subscribers);
    const ratio = floor ? row.latency.p99 / floor.latency.p99 : Number.NaN;
    const subscribers = row.onInstance === row.subscribers ? `${row.subscribers}` : `${row.onInstance} of ${row.subscribers}`;
    lines.push(
      `| ${label(row)} | ${subscribers} | ${f(row.delivery, 4)} | ${f(row.latency.p50, 1)} | ${f(row.latency.p99, 1)} | ${f(row.latency.max, 1)} | ${f(ratio, 2)}× | ${f(row.connectAllMs)} | ${f(row.idleRssMb)} → ${f(row.rssMb)} | ${f(row.rssPerConnKb, 1)} | ${f(row.youngMb.idle)} → ${f(row.youngMb.loaded)} | ${f(row.rssPerConnWithoutYoungKb, 1)} | ${f(row.heapPerConnKb, 1)} | ${f(row.backToIdleMs)} |`,
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
  const bursts = rows.filter((row) => row.burst);
  if (bursts.length > 0) {
    const { rate, seconds } = bursts[0]!.burst!;
    lines.push(
      '',
      `| the steady ${rate === 0 ? '' : `and the burst (${rate}/s for ${seconds} s)`} | subscribers | delivered (steady · burst) | p99 ms (steady · burst) | p99 vs floor (steady · burst) | event-loop delay p99 / max ms (steady · burst) | POST /api/users p95 ms (steady · burst) |`,
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const row of bursts) {
      const floor = rows.find((r) => r.target === 'floor' && r.subscribers === row.subscribers);
      const loop = (l: LoopDelay | undefined) => (l ? `${f(l.p99, 1)} / ${f(l.max, 1)}` : '–');
      lines.push(
        `| ${label(row)} | ${row.onInstance} | ${f(row.delivery, 4)} · ${f(row.burst!.delivery, 4)} | ${f(row.latency.p99, 1)} · ${f(row.burst!.latency.p99, 1)} | ${f(row.latency.p99 / (floor?.latency.p99 ?? Number.NaN), 2)}× · ${f(row.burst!.latency.p99 / (floor?.burst?.latency.p99 ?? Number.NaN), 2)}× | ${loop(row.loop?.steady)} · ${loop(row.loop?.burst)} | ${row.creates ? `${f(row.creates.steady.p95, 1)} · ${f(row.creates.burst?.p95 ?? Number.NaN, 1)}` : '–'} |`,
      );
    }
  }
  const probed = rows.filter((row) => row.pages);
  if (probed.length > 0) {
    lines.push(
      '',
      '| pages while users are created (p50 / p95 ms) | streams | creates | GET / (dashboard) | GET /api/users | POST /api/users | event-loop delay p99 / max ms | GC ms a second (young · old) |',
      '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
    );
    const cell = (s: Summary) => `${f(s.p50, 1)} / ${f(s.p95, 1)}`;
    for (const row of probed) {
      for (const [streams, at] of [
        [0, row.pages!.idle],
        [row.onInstance, row.pages!.loaded],
      ] as const) {
        for (const [what, pages] of [
          [`${rate}/s`, at.steady],
          [row.burst ? `burst ${row.burst.rate}/s` : '', at.burst],
        ] as const) {
          if (!pages) continue;
          lines.push(`| ${label(row)} | ${streams} | ${what}, ${f(pages.seconds, 0)} s | ${cell(pages.page)} | ${cell(pages.api)} | ${cell(pages.create)} | ${f(pages.loop.p99, 1)} / ${f(pages.loop.max, 1)} | ${f(pages.loop.gcMsPerSecond.minor, 1)} · ${f(pages.loop.gcMsPerSecond.major, 1)} |`);
        }
      }
    }
  }
  if (rows.some((row) => row.instance !== undefined)) {
    lines.push('', 'Subscribers split evenly across the instances; A takes every create (same instance), B hears of it through Redis (cross-instance).');
  }
  return lines.join('\n');
}
