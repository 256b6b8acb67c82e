// npm run bench -- --mode report-cost [--reports 10000] [--port 3950] – what one presence report
// (POST /api/presence) costs the server on its own: one `npm start` on a fresh SQLite file with no
// stream open, a signed-in client sending reports from 32 connections at once, each from a new tab
// that leaves (so none is refused as too soon), three rounds after a warm-up; with `--samples N`,
// each report also carries N delivery samples of an event created first. Reported: reports a
// second, and the server process's CPU time per report (user + system, from /proc), which is what
// 500 reports a second at 10,000 open pages take from the fan-out. Set BENCH_APP_ROOT to another
// built worktree to measure an earlier version the same way.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { signIn } from './pages';
import { APP_ROOT, request, startRoster, stopAll } from './servers';

export type ReportCostOptions = { reports: number; samples: number; port: number };

const CONNECTIONS = 32;
/** Linux counts a process's CPU time in ticks of 10 ms (USER_HZ 100). */
const TICK_MS = 10;

/** The CPU time process `pid` has used, user and system, in ms (/proc/<pid>/stat, fields 14 and 15). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function send(port: number, cookie: string, reports: number, deliveries: { eventId: number; atMs: number }[]): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const statuses = new Map<number, number>();
  const post = (body: string) =>
    new Promise<number>((resolve) => {
      const headers = { Cookie: cookie, Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) };
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/api/presence', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (sent < reports) {
        sent++;
        const status = await post(JSON.stringify({ tab: randomUUID(), transport: 'sse', editing: null, leaving: true, ...(deliveries.length > 0 ? { deliveries } : {}) }));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  return statuses;
}

/** `count` samples of one event just created, as a tab that applied it 50 ms after its commit would send them. */
async function samplesOf(port: number, count: number): Promise<{ eventId: number; atMs: number }[]> {
  if (count === 0) return [];
  const created = await request(port, 'POST', '/api/users', { name: 'Report Cost', email: `report-cost-${randomUUID()}@bench.local` });
  if (created.status !== 201) throw new Error(`POST /api/users answered ${created.status}`);
  const { lastEventId } = JSON.parse((await request(port, 'GET', '/api/health')).text) as { lastEventId: number };
  // Each round takes seconds: samples stamped as each report is built would be fresher, but the same size.
  return Array.from({ length: count }, () => ({ eventId: lastEventId, atMs: Date.now() }));
}

export async function reportCostBench({ reports, samples, port }: ReportCostOptions): Promise<void> {
  const [server] = await startRoster({ instances: 1, port, maxConnections: 1_000, execArgv: [] });
  if (!server?.process.pid) throw new Error('the server did not start');
  const { pid } = server.process;
  try {
    const cookie = await signIn(port);
    const deliveries = await samplesOf(port, samples);
    await send(port, cookie, Math.ceil(reports / 3), deliveries);
    console.log(`Presence reports on one npm start (${APP_ROOT}), ${CONNECTIONS} connections, no streams, ${samples} delivery samples each:\n`);
    console.log('| round | answered | reports / s | server CPU µs / report |\n| --- | --- | ---: | ---: |');
    for (let round = 1; round <= 3; round++) {
      const cpuBefore = cpuMs(pid);
      const started = performance.now();
      const statuses = await send(port, cookie, reports, deliveries);
      const seconds = (performance.now() - started) / 1000;
      const answered = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
      console.log(`| ${round} | ${answered} | ${(reports / seconds).toFixed(0)} | ${(((cpuMs(pid) - cpuBefore) / reports) * 1000).toFixed(0)} |`);
    }
  } finally {
    await stopAll([server]);
  }
}
