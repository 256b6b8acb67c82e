// Starts the real production server on the existing build against a fresh SQLite file or a given
// PostgreSQL database, the way `npm start` does: migrations first, then the server — server.ts
// (`npm start`), or `next start` for tests that check the stream on both of its paths. Authentication is on, as production requires, with the test secrets of ./secrets.ts;
// the rate limit is off unless a test turns it on. The server's stdout (pino's JSON log lines) is
// kept in a file for tests to read.
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import { AUTH_ENV } from './secrets';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Scratch space for test databases; git-ignored. */
export const TMP_DIR = path.join(ROOT, 'tests/.tmp');

const PORTS = portRange(process.env.ROSTER_TEST_PORTS || '3300-3399');
const HOST = '127.0.0.1';
const READY_TIMEOUT_MS = 30_000;
// The app ends its event streams on SIGTERM, so the server exits within milliseconds
// (tests/integration/shutdown.test.ts proves it). This is only a safety net against a hung
// server: the database is thrown away, so there is nothing worth waiting longer for.
const STOP_GRACE_MS = 1_000;

class PortTakenError extends Error {}

/** The ports test servers may use, e.g. ROSTER_TEST_PORTS=3600-3699 to keep clear of another checkout's run. */
function portRange(range: string): { first: number; last: number } {
  const [, first, last] = /^(\d+)-(\d+)$/.exec(range) ?? [];
  if (!first || !last || Number(first) > Number(last)) throw new Error(`ROSTER_TEST_PORTS must look like 3600-3699, got "${range}"`);
  return { first: Number(first), last: Number(last) };
}

/**
 * How the build is served: `npm start` (server.ts: node:http in front of Next.js, serving the
 * stream itself) or `next start` (the stream through Next.js's route-handler pipeline, as any
 * Next.js host serves it). The stream's tests run against both.
 */
export type Serve = 'npm start' | 'next start';
export const SERVES: readonly Serve[] = ['npm start', 'next start'];

type Server = {
  url: string;
  /** Where the server's stdout goes (see `readLog`). */
  logFile: string;
  /** The server process, for tests that signal it themselves. */
  child: ChildProcess;
  stop: () => Promise<void>;
  /**
   * Stops the process (SIGTERM, or SIGKILL with `kill`) and starts a new one on the same database,
   * with these environment changes instead of the first ones: `url` and `child` change, as after a
   * deploy (the port may too).
   */
  restart: (options?: { env?: ServerEnv; kill?: boolean }) => Promise<void>;
};

/** A server on its own SQLite file, removed by `stop`. */
export type TestServer = Server & { databaseFile: string };

/** A server on a PostgreSQL database the test owns: `stop` leaves it in place. */
export type PostgresTestServer = Server & { databaseUrl: string };

/** Environment changes for a server: a string sets the variable, undefined removes it. */
export type ServerEnv = Record<string, string | undefined>;

export type ServerOptions = {
  /** Changes to the default environment, e.g. `{ EVENT_LOG_SIZE: '3' }` or `{ API_TOKEN: undefined }`. */
  env?: ServerEnv;
  /** A PostgreSQL URL to serve from instead of a fresh SQLite file; migrated first (a no-op when up to date). */
  databaseUrl?: string;
  /** Default `npm start`. */
  serve?: Serve;
};

/**
 * What every test server runs with unless told otherwise: signed-in access only, no rate limit,
 * and one trusted proxy in front — the tests play it, sending X-Forwarded-For for the client they
 * stand for (each sign-in its own address: tests/support/session.ts). With no proxy in front,
 * `npm start` counts the socket's address instead (rate-limit.test.ts).
 */
export const DEFAULT_SERVER_ENV: ServerEnv = { ...AUTH_ENV, RATE_LIMIT_WRITES_PER_MIN: '0', TRUSTED_PROXY_HOPS: '1' };

/** Everything the server has written to stdout so far. */
export function readLog(logFile: string): Promise<string> {
  return readFile(logFile, 'utf8');
}

/** The JSON lines of a log (pino's), skipping Next.js's own plain-text lines. */
export function logEntries(log: string): Record<string, unknown>[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A fresh directory under tests/.tmp, removed by the returned function. */
export async function tempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  await mkdir(TMP_DIR, { recursive: true });
  const dir = await mkdtemp(path.join(TMP_DIR, `${prefix}-`));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, HOST, () => probe.close(() => resolve(true)));
  });
}

/** Free ports in the range, starting at a random one so parallel runs rarely pick the same. */
async function* freePorts(): AsyncGenerator<number> {
  const size = PORTS.last - PORTS.first + 1;
  const offset = Math.floor(Math.random() * size);
  for (let i = 0; i < size; i++) {
    const port = PORTS.first + ((offset + i) % size);
    if (await portIsFree(port)) yield port;
  }
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited(child);
  clearTimeout(timer);
}

/**
 * Resolves once this child says it listens and /api/health answers; rejects with the server's
 * output if it exits first. (Health alone could be another worktree's server that took the port.)
 */
async function waitUntilReady(url: string, child: ChildProcess, output: () => string) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void exited(child).then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the server exited with ${child.exitCode ?? child.signalCode}:\n${output()}`);
    if (!output().includes('Ready in')) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      continue;
    }
    try {
      const response = await fetch(`${url}/api/health`);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server was not ready within ${READY_TIMEOUT_MS} ms:\n${output()}`);
}

/** The environment of a server process: ours, the defaults, then the test's changes. */
function serverEnv(changes: ServerEnv, databaseUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...DEFAULT_SERVER_ENV, ...changes };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  // Vitest sets NODE_ENV=test; the production server must run as production.
  return { ...env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: databaseUrl };
}

export type ServerProcess = {
  child: ChildProcess;
  /** The last 20,000 characters of stdout and stderr together, for error messages. */
  output: () => string;
};

/**
 * Spawns `npm start`'s server on the port with a SQLite file; stdout is appended to `logFile` as
 * it arrives. Used directly by tests that expect the server to refuse to start.
 */
export function spawnRoster(port: number, databaseFile: string, logFile: string, changes: ServerEnv = {}): ServerProcess {
  return spawnServer('npm start', port, `file:${databaseFile}`, logFile, changes);
}

/** The command line of each way to serve (npm start's server.ts runs on Node's own type stripping). */
function entryOf(serve: Serve): string[] {
  if (serve === 'npm start') return [path.join(ROOT, 'server.ts')];
  return [createRequire(import.meta.url).resolve('next/dist/bin/next'), 'start'];
}

function spawnServer(serve: Serve, port: number, databaseUrl: string, logFile: string, changes: ServerEnv): ServerProcess {
  const child = spawn(process.execPath, [...entryOf(serve), '--port', String(port), '--hostname', HOST], {
    cwd: ROOT,
    env: serverEnv(changes, databaseUrl),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const collect = (chunk: Buffer) => void (tail = (tail + chunk.toString()).slice(-20_000));
  writeFileSync(logFile, '');
  child.stdout?.on('data', (chunk: Buffer) => {
    collect(chunk);
    appendFileSync(logFile, chunk);
  });
  child.stderr?.on('data', collect);
  return { child, output: () => tail };
}

async function launch(serve: Serve, port: number, databaseUrl: string, logFile: string, changes: ServerEnv) {
  const { child, output } = spawnServer(serve, port, databaseUrl, logFile, changes);
  const url = `http://${HOST}:${port}`;
  try {
    await waitUntilReady(url, child, output);
  } catch (error) {
    await stopProcess(child);
    throw output().includes('EADDRINUSE') ? new PortTakenError(`port ${port} taken`) : error;
  }
  return { url, child };
}

/** A port in the range that nothing listens on right now. */
export async function freePort(): Promise<number> {
  for await (const port of freePorts()) return port;
  throw new Error(`No free port in ${PORTS.first}-${PORTS.last}`);
}

/**
 * Migrates a new database under tests/.tmp, or the PostgreSQL database `databaseUrl` names, and
 * serves the production build from it.
 */
export function startServer(options: ServerOptions & { databaseUrl: string }): Promise<PostgresTestServer>;
export function startServer(options?: ServerOptions & { databaseUrl?: undefined }): Promise<TestServer>;
export async function startServer({ env = {}, databaseUrl, serve = 'npm start' }: ServerOptions = {}): Promise<TestServer | PostgresTestServer> {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) {
    throw new Error('No production build: run `npm run build` before the integration tests.');
  }
  const scratch = await tempDir('server');
  const databaseFile = path.join(scratch.dir, 'roster.db');
  const logFile = path.join(scratch.dir, 'stdout.log');
  try {
    const target = databaseTarget(databaseUrl ?? `file:${databaseFile}`);
    await applyMigrations(target);
    for await (const port of freePorts()) {
      try {
        const { url, child } = await launch(serve, port, target.url, logFile, env);
        const server: Server = {
          url,
          logFile,
          child,
          stop: async () => {
            await stopProcess(server.child);
            await scratch.remove();
          },
          restart: async ({ env: changes = env, kill = false } = {}) => {
            if (kill) server.child.kill('SIGKILL');
            await stopProcess(server.child);
            for await (const next of freePorts()) {
              try {
                Object.assign(server, await launch(serve, next, target.url, logFile, changes));
                return;
              } catch (error) {
                if (!(error instanceof PortTakenError)) throw error;
              }
            }
            throw new Error(`No free port in ${PORTS.first}-${PORTS.last}`);
          },
        };
        return target.provider === 'sqlite' ? Object.assign(server, { databaseFile }) : Object.assign(server, { databaseUrl: target.url });
      } catch (error) {
        // Another process took the port between the probe and the server's listen: next one.
        if (!(error instanceof PortTakenError)) throw error;
      }
    }
    throw new Error(`No free port in ${PORTS.first}-${PORTS.last}`);
  } catch (error) {
    await scratch.remove();
    throw error;
  }
}
