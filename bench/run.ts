// npm run bench – fan-out benchmark: N SSE subscribers, K users created at a steady rate,
// against Roster's production build and, in the same run, against a bare node:http floor.
//   npm run bench -- --subscribers 1000,5000,10000 --events 40 --rate 2
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientCommand, ClientReply } from './protocol';
import type { Summary } from './stats';

const { values: args } = parseArgs({
  options: {
    subscribers: { type: 'string', default: '1000,5000,10000' },
    events: { type: 'string', default: '40' },
    rate: { type: 'string', default: '2' },
    targets: { type: 'string', default: 'floor,roster' },
    port: { type: 'string', default: '3400' },
    /** Write a V8 CPU profile of each server to bench/results/profiles. */
    profile: { type: 'boolean', default: false },
  },
});
const SIZES = args.subscribers.split(',').map(Number);
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const PORT = Number(args.port);
const ROOT = path.resolve(import.meta.dirname, '..');
const TMP = path.join(ROOT, 'bench/results/tmp');
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const PROFILE = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/profiles')}`] : [];
// Roster's production mode requires credentials; the benchmark uses throwaway ones and no rate limit.
const API_TOKEN = 'bench-token-0123456789abcdef';
const ROSTER_ENV = {
  ADMIN_PASSWORD: 'bench-password',
  SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
  API_TOKEN,
  RATE_LIMIT_WRITES_PER_MIN: '0',
  LOG_LEVEL: 'warn',
};
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

type Target = 'floor' | 'roster';
type Row = {
  target: Target;
  subscribers: number;
  connected: number;
  connectAllMs: number;
  connectP99Ms: number;
  delivery: number;
  latency: Summary;
  idleRssMb: number;
  rssMb: number;
  rssPerConnKb: number;
  backToIdleMs: number;
};

function request(method: string, url: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `http://127.0.0.1:${PORT}${url}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${API_TOKEN}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const subscribersNow = async () => (JSON.parse((await request('GET', '/api/health')).text) as { subscribers: number }).subscribers;

function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

async function startServer(target: Target, subscribers: number): Promise<ChildProcess> {
  const env = { ...process.env, PORT: String(PORT), NEXT_TELEMETRY_DISABLED: '1' };
  let server: ChildProcess;
  if (target === 'floor') {
    server = spawn(process.execPath, [...PROFILE, '--import', 'tsx', path.join(ROOT, 'bench/floor-server.ts')], { env, stdio: 'inherit' });
  } else {
    rmSync(TMP, { recursive: true, force: true });
    mkdirSync(TMP, { recursive: true });
    const databaseUrl = `file:${path.join(TMP, 'bench.db')}`;
    const migrate = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'prisma/migrate.ts'], {
      cwd: ROOT,
      env: { ...env, DATABASE_URL: databaseUrl },
      stdio: 'ignore',
    });
    await new Promise((resolve) => migrate.on('exit', resolve));
    server = spawn(process.execPath, [...PROFILE, path.join(ROOT, 'node_modules/next/dist/bin/next'), 'start', '-p', String(PORT), '-H', '127.0.0.1'], {
      cwd: ROOT,
      env: { ...env, ...ROSTER_ENV, DATABASE_URL: databaseUrl, MAX_SSE_CONNECTIONS: String(subscribers + 100) },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  if (!(await waitFor(async () => (await request('GET', '/api/health')).status === 200, 30_000))) throw new Error(`${target} did not start`);
  return server;
}

function ask(client: ChildProcess, command: ClientCommand): Promise<ClientReply> {
  return new Promise((resolve) => {
    client.once('message', (reply: ClientReply) => resolve(reply));
    client.send(command);
  });
}

async function measure(target: Target, subscribers: number): Promise<Row> {
  const server = await startServer(target, subscribers);
  const pid = server.pid ?? 0;
  // Warm the routes once so first-request compilation and caches are not counted.
  await request('POST', '/api/users', { name: 'warm-up', email: `warm-up@bench.local` });
  await request('GET', '/api/users');
  await sleep(1_000);
  const idle = await subscribersNow();
  const idleRssMb = rssMb(pid);

  const client = fork(path.join(ROOT, 'bench/client.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const connected = (await ask(client, { cmd: 'connect', port: PORT, count: subscribers, events: EVENTS, concurrency: 200, path: '/events', token: API_TOKEN })) as Extract<ClientReply, { cmd: 'connect' }>;
  await sleep(2_000);
  const loadedRssMb = rssMb(pid);

  const sendTimes: number[] = [];
  const interval = 1_000 / RATE;
  const started = nowMs();
  const posts: Promise<unknown>[] = [];
  for (let k = 0; k < EVENTS; k++) {
    const due = started + k * interval;
    const wait = due - nowMs();
    if (wait > 0) await sleep(wait);
    sendTimes[k] = nowMs();
    posts.push(request('POST', '/api/users', { name: `bench-${k}`, email: `bench-${k}@bench.local` }));
  }
  await Promise.all(posts);
  const expected = connected.connected * EVENTS;
  await waitFor(async () => ((await ask(client, { cmd: 'received' })) as { count: number }).count >= expected, 15_000);
  const result = (await ask(client, { cmd: 'collect', sendTimes })) as Extract<ClientReply, { cmd: 'collect' }>;

  await ask(client, { cmd: 'close' });
  client.kill();
  const leaveStarted = Date.now();
  const backToIdle = await waitFor(async () => (await subscribersNow()) === idle, 30_000);
  const backToIdleMs = backToIdle ? Date.now() - leaveStarted : Number.NaN;
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));

  return {
    target,
    subscribers,
    connected: connected.connected,
    connectAllMs: connected.totalMs,
    connectP99Ms: connected.perConnection.p99,
    delivery: result.delivered / (subscribers * EVENTS),
    latency: result.latency,
    idleRssMb,
    rssMb: loadedRssMb,
    rssPerConnKb: ((loadedRssMb - idleRssMb) * 1024) / subscribers,
    backToIdleMs,
  };
}

async function main() {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) throw new Error('No production build: run `npm run build` first.');
  const targets = args.targets.split(',') as Target[];
  const rows: Row[] = [];
  for (const subscribers of SIZES) {
    for (const target of targets) {
      console.error(`… ${target}: ${subscribers} subscribers, ${EVENTS} events at ${RATE}/s`);
      rows.push(await measure(target, subscribers));
    }
  }
  const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '–');
  const lines = [
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${EVENTS} events at ${RATE}/s`,
    '',
    '| target | subscribers | delivered | p50 ms | p99 ms | max ms | p99 vs floor | connect all ms | RSS MB (idle → loaded) | KB / connection | back to idle ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const row of rows) {
    const floor = rows.find((r) => r.target === 'floor' && r.subscribers === row.subscribers);
    const ratio = floor ? row.latency.p99 / floor.latency.p99 : Number.NaN;
    lines.push(
      `| ${row.target} | ${row.subscribers} | ${f(row.delivery, 4)} | ${f(row.latency.p50, 1)} | ${f(row.latency.p99, 1)} | ${f(row.latency.max, 1)} | ${f(ratio, 2)}× | ${f(row.connectAllMs)} | ${f(row.idleRssMb)} → ${f(row.rssMb)} | ${f(row.rssPerConnKb, 1)} | ${f(row.backToIdleMs)} |`,
    );
  }
  console.log(lines.join('\n'));
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(rows, null, 2));
  agent.destroy();
}

await main();
