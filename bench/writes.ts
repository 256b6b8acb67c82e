// npm run bench -- --mode writes [--databases sqlite,postgresql] [--creates 500]
// What a write costs: POST /api/users latency one at a time and eight at once, with 20 streams
// open, on each database. BENCH_APP_ROOT=<another built checkout> runs that version's server with
// this same benchmark, so a before/after comparison is one command per side on one machine.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createDatabase, type Kind } from './directory/database';
import { agent, API_TOKEN, APP_ROOT, request, rosterEnv, runScript, serverNodeVersion, startRoster, stopAll } from './servers';
import { type Summary, summarize } from './stats';

type WritesOptions = { databases: string[]; creates: number; port: number; postgres: string };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function timedCreate(port: number): Promise<number> {
  const started = nowMs();
  const answer = await request(port, 'POST', '/api/users', { name: 'Bench Writer', email: `w-${randomUUID()}@example.com` }, {}, false);
  if (answer.status !== 201) throw new Error(`POST /api/users answered ${answer.status}: ${answer.text}`);
  return nowMs() - started;
}

async function creates(port: number, count: number, concurrency: number): Promise<Summary & { perSecond: number }> {
  const times: number[] = [];
  let left = count;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (left-- > 0) times.push(await timedCreate(port));
    }),
  );
  return { ...summarize(times), perSecond: (count / (nowMs() - started)) * 1000 };
}

/** Streams that stay open through the run, as dashboards would be. */
function openStreams(port: number, count: number): http.ClientRequest[] {
  return Array.from({ length: count }, () => {
    const stream = http.request(`http://127.0.0.1:${port}/events`, { agent: false, headers: { Authorization: `Bearer ${API_TOKEN}`, Accept: 'text/event-stream' } });
    stream.on('response', (response) => response.resume());
    stream.on('error', () => {});
    stream.end();
    return stream;
  });
}

export async function writesBench(options: WritesOptions): Promise<void> {
  const rows: string[] = [];
  for (const kind of options.databases as Kind[]) {
    const database = await createDatabase(kind, options.postgres);
    if (typeof database === 'string') {
      rows.push(`| ${kind} | skipped: ${database} | | | |`);
      continue;
    }
    await runScript('prisma/migrate.ts', [], rosterEnv(database.url));
    const servers = await startRoster({ instances: 1, port: options.port, maxConnections: 1_000, execArgv: [], databaseUrl: database.url });
    const streams = openStreams(options.port, 20);
    try {
      await creates(options.port, 50, 4); // warm-up: compilation, connections, caches
      const one = await creates(options.port, options.creates, 1);
      const eight = await creates(options.port, options.creates, 8);
      const cell = (s: Summary) => `${s.p50.toFixed(1)} / ${s.p99.toFixed(1)}`;
      rows.push(`| ${kind} | ${cell(one)} | ${cell(eight)} | ${eight.perSecond.toFixed(0)} |`);
    } finally {
      for (const stream of streams) stream.destroy();
      await stopAll(servers);
      await database.drop();
    }
  }
  console.log(`\nPOST /api/users on ${APP_ROOT}, ${options.creates} creates each way, 20 streams open, servers on Node ${serverNodeVersion()} (ms, p50 / p99)\n`);
  console.log('| database | one at a time | eight at once | creates/s, eight at once |\n| --- | --- | --- | --- |');
  console.log(rows.join('\n'));
  agent.destroy();
}
