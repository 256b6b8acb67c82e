// The servers under test: the floor, and Roster's production build (as `npm start` or `next start`
// serves it) as one instance or several sharing one SQLite file (writes go to one instance only,
// so WAL copes) and one Redis.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import path from 'node:path';
import { childPids } from '../tests/support/processes';

export const ROOT = path.resolve(import.meta.dirname, '..');
/**
 * The checkout whose build the Roster targets run: this one, or BENCH_APP_ROOT (another worktree,
 * built and installed) to measure an earlier version with the same benchmark in the same run.
 */
export const APP_ROOT = process.env.BENCH_APP_ROOT ? path.resolve(process.env.BENCH_APP_ROOT) : ROOT;
const TMP = path.join(ROOT, 'bench/results/tmp');
/** The SQLite file of a Roster target started without a database of its own. */
export const BENCH_DB = path.join(TMP, 'bench.db');
// Roster's production mode requires credentials; the benchmark uses throwaway ones and no rate limit.
export const API_TOKEN = 'bench-token-0123456789abcdef';
export const ROSTER_ENV = {
  ADMIN_EMAIL: 'bench.admin@roster.test',
  ADMIN_PASSWORD: 'bench-password',
  SESSION_SECRET: 'bench-session-secret-0123456789abcdef',
  API_TOKEN,
  RATE_LIMIT_WRITES_PER_MIN: '0',
  // The sign-in timings send each attempt from an address of its own, as a proxy would say.
  TRUSTED_PROXY_HOPS: '1',
  LOG_LEVEL: 'warn',
};

export type Instance = { port: number; process: ChildProcess };

/** The Node flags `npm start` gives server.ts (package.json), so the bench measures what operators run. */
function npmStartFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(APP_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const flags = /\bnode((?: --\S+)*) server\.ts\b/.exec(scripts.start ?? '');
  if (!flags) throw new Error(`${APP_ROOT}/package.json's start script does not run server.ts`);
  return flags[1]!.split(' ').filter(Boolean);
}

/**
 * The Node that runs the servers and the app's scripts: this one, or --node (another version; the
 * app's native modules must have been built for it, e.g. by `npm ci` under it in BENCH_APP_ROOT).
 */
let serverNode = process.execPath;
export function runServersOn(binary: string): void {
  serverNode = binary;
}
export const serverNodeVersion = () => spawnSync(serverNode, ['--version'], { encoding: 'utf8' }).stdout.trim();

/**
 * How Roster serves: `npm start` (server.ts: node:http in front of Next.js, serving the stream
 * itself) or `next start` (every route, the stream too, through Next.js's route-handler pipeline).
 */
export type Serve = 'npm start' | 'next start';

export type RosterSetup = {
  /** Instances on `port`, `port + 1`, …; writes go to the first. */
  instances: number;
  port: number;
  maxConnections: number;
  /** Every instance gets this Redis and key prefix; without it, each has the in-process hub. */
  redis?: { url: string; keyPrefix: string };
  execArgv: string[];
  /** Default npm-start. */
  serve?: Serve;
  /** A database already migrated (and seeded) by the caller; without it, a fresh SQLite file under bench/results/tmp. */
  databaseUrl?: string;
};

export const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Answer = { status: number; text: string; headers: http.IncomingHttpHeaders };

/**
 * A request with the API token (and `headers`); resolves once the whole body is in. Sent again once
 * when a kept-alive socket turns out to have been closed by the server as it was reused (the race
 * between the agent and the server's keep-alive timeout; the request never reached the server).
 */
export function request(port: number, method: string, url: string, body?: unknown, headers: Record<string, string> = {}, retry = true): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      `http://127.0.0.1:${port}${url}`,
      {
        method,
        agent,
        headers: {
          Authorization: `Bearer ${API_TOKEN}`,
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }));
      },
    );
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (retry && req.reusedSocket && error.code === 'ECONNRESET') request(port, method, url, body, headers, false).then(resolve, reject);
      else reject(error);
    });
    req.end(payload);
  });
}

export const subscribersNow = async (port: number) =>
  (JSON.parse((await request(port, 'GET', '/api/health')).text) as { subscribers: number }).subscribers;

/** A process's resident memory (KB), with its children's: `npm start`'s stream writer is one (lib/server/events/writer.ts). */
function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return childPids(pid).reduce((kb, child) => kb + rssKb(child), Number(match?.[1] ?? Number.NaN));
}

export function rssMb(instance: Instance): number {
  return rssKb(instance.process.pid ?? Number.NaN) / 1024;
}

/** Where the servers' heap probe writes (bench/heap-probe.mjs), and the flags that load it. */
const HEAP_PROBE = path.join(os.tmpdir(), `roster-bench-heap-${process.pid}`);
const HEAP_PROBE_FLAGS = ['--expose-gc', '--import', path.join(ROOT, 'bench/heap-probe.mjs')];

/**
 * The server's V8 heap, through bench/heap-probe.mjs: its young generation as it is (MB), then
 * what it keeps after a full garbage collection (MB); NaN for both if the probe did not answer.
 */
export async function heapOf(instance: Instance): Promise<{ youngMb: number; retainedMb: number }> {
  const file = `${HEAP_PROBE}.${instance.process.pid}`;
  rmSync(file, { force: true });
  instance.process.kill('SIGUSR2');
  if (!(await waitFor(async () => existsSync(file), 10_000))) return { youngMb: Number.NaN, retainedMb: Number.NaN };
  const { young, retained } = JSON.parse(readFileSync(file, 'utf8')) as { young: number; retained: number };
  rmSync(file, { force: true });
  return { youngMb: young / 2 ** 20, retainedMb: retained / 2 ** 20 };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await sleep(100);
  }
  return false;
}

async function started(instances: Instance[], name: string): Promise<Instance[]> {
  const up = await Promise.all(instances.map(({ port }) => waitFor(async () => (await request(port, 'GET', '/api/health')).status === 200, 30_000)));
  if (up.every(Boolean)) return instances;
  await stopAll(instances);
  throw new Error(`${name} did not start`);
}

export function startFloor(port: number, execArgv: string[]): Promise<Instance[]> {
  const env = { ...process.env, PORT: String(port) };
  const floor = spawn(serverNode, [...execArgv, ...HEAP_PROBE_FLAGS, '--import', 'tsx', path.join(ROOT, 'bench/floor-server.ts')], { env: { ...env, BENCH_HEAP_PROBE: HEAP_PROBE }, stdio: 'inherit' });
  return started([{ port, process: floor }], 'floor');
}

/** The environment of Roster's processes (server, migrations, seed) on `databaseUrl`. */
export function rosterEnv(databaseUrl: string, maxConnections = 10_000, redis?: RosterSetup['redis']): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...ROSTER_ENV,
    NEXT_TELEMETRY_DISABLED: '1',
    DATABASE_URL: databaseUrl,
    MAX_SSE_CONNECTIONS: String(maxConnections),
    // Subscribers are the one API token, as wall displays sharing a token would be (roster-presence's
    // are people's sessions, 50 tabs each): such a deployment raises the per-principal cap (a tenth of
    // MAX_SSE_CONNECTIONS by default) to match.
    MAX_SSE_CONNECTIONS_PER_PRINCIPAL: String(maxConnections),
    // Empty, not inherited: a REDIS_URL in the caller's shell must not turn the single-instance target into a Redis one.
    REDIS_URL: redis?.url ?? '',
    ...(redis ? { REDIS_KEY_PREFIX: redis.keyPrefix } : {}),
  };
}

/** Runs one of Roster's scripts under prisma/ (migrate.ts, seed.ts) and resolves with its output; rejects when it fails. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30 * 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(serverNode, ['--conditions=react-server', '--import', 'tsx', script, ...args], { cwd: APP_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(output);
      else reject(new Error(`${script} ${args.join(' ')} exited with ${code ?? signal}:\n${output}`));
    });
  });
}

/** Roster on a fresh database (or `setup.databaseUrl`), migrated once before any instance starts. */
export async function startRoster(setup: RosterSetup): Promise<Instance[]> {
  if (setup.databaseUrl === undefined) {
    rmSync(TMP, { recursive: true, force: true });
    mkdirSync(TMP, { recursive: true });
  }
  const env = rosterEnv(setup.databaseUrl ?? `file:${BENCH_DB}`, setup.maxConnections, setup.redis);
  if (setup.databaseUrl === undefined) await runScript('prisma/migrate.ts', [], env);
  const serve = setup.serve ?? 'npm start';
  const script = path.join(APP_ROOT, serve === 'npm start' ? 'server.ts' : 'node_modules/next/dist/bin/next');
  if (!existsSync(script)) throw new Error(`${APP_ROOT} has no ${path.relative(APP_ROOT, script)}: measure it with --targets roster-next`);
  const entry = serve === 'npm start' ? [...npmStartFlags(), script] : [script, 'start'];
  const instances = Array.from({ length: setup.instances }, (_, i): Instance => {
    const port = setup.port + i;
    const server = spawn(serverNode, [...setup.execArgv, ...HEAP_PROBE_FLAGS, ...entry, '-p', String(port), '-H', '127.0.0.1'], {
      cwd: APP_ROOT,
      env: { ...env, NODE_ENV: 'production', PORT: String(port), BENCH_HEAP_PROBE: HEAP_PROBE },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return { port, process: server };
  });
  return started(instances, 'roster');
}

export async function stopAll(instances: Instance[]): Promise<void> {
  await Promise.all(
    instances.map(({ process: server }) => {
      if (server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      return exited;
    }),
  );
}
