// npm run bench -- --mode directory – the directory at scale, for SQLite and PostgreSQL:
//   npm run bench -- --mode directory --users 100000 --databases sqlite,postgresql [--port 3500]
//     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]   (or BENCH_POSTGRES_URL: the server's
//     maintenance database; a fresh database is created beside it and dropped afterwards)
// Needs the production build (`npm run build`) and Chromium (/usr/bin/chromium, else Playwright's).
// Per database: a fresh database (SQLite: a file under bench/results/tmp-directory), migrated, seeded
// with --users generated users (prisma/seed.ts, as `npm run db:seed -- --users N`, timed whole), one
// `npm start` (server.ts) on --port. Then:
//   1. the dashboard's first page: HTML bytes, server time (30 GETs of / with a session cookie, to
//      the last byte) and, in Chromium, from navigation start until "Connected (SSE)" and the JS heap
//      after load (5 loads, each in a fresh context: a first visit);
//   2. GET /api/users: each sort both ways over pages 1–4 and one page back (cursors), searches
//      (common, rare, no match) over their first pages, and a 304 (If-None-Match);
//   3. a user created through the API until its row appears in a dashboard in another browser;
//   4. 20 dashboards on different views (one browser context) while 50 events happen: first 25
//      edits/deletes far from every dashboard's rows (no dashboard may ask the server anything), then
//      25 mixed ones aimed at the dashboards' rows (creates, edits moving rows in, out and within a
//      page, deletes; three back to back on one page, four racing a page's refill, five at once)
//      and a few far from them. After each part settles, every dashboard's rows (ids, names,
//      emails, in order) and total must equal a fresh GET /api/users of its view;
//   5. pages against the events they claim to reflect: a search read while users it matches are
//      created; a page must count exactly the creates whose events are at most its lastEventId;
//   6. how live it is by the screens' own reports (roster_event_delivery_seconds): 20 dashboards
//      while 40 users are created, the histogram's p99 against the bench's create → row p99.
// Prints a markdown table per database, figures next to targets, and writes
// bench/results/directory-<time>.json. Needs at least 10,000 users (the events rely on the seed's layout).
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser } from '@playwright/test';
import { agent, type Instance, request, ROOT, rosterEnv, runScript, serverNodeVersion, startRoster, stopAll } from '../servers';
import { api } from './api';
import { signIn } from '../pages';
import { launchBrowser } from './browser';
import { MIN_USERS, TARGETS, TMP } from './config';
import { pageEventConsistency } from './consistency';
import { createVisible } from './create-visible';
import { type Database, KINDS, type Kind, createDatabase } from './database';
import { firstPage } from './first-page';
import { deliveryAgreement } from './delivery';
import { dashboardsUnderEvents } from './live-dashboards';
import { type Result, table } from './report';

export type DirectoryOptions = { users: number; databases: string[]; port: number; postgres: string };

/** Migrates the fresh database, then seeds it: the seed's whole run (start-up and demo users included), in seconds. */
export async function seed(database: Database, users: number): Promise<number> {
  const env = rosterEnv(database.url);
  await runScript('prisma/migrate.ts', [], env);
  const started = performance.now();
  await runScript('prisma/seed.ts', ['--users', String(users)], env);
  return (performance.now() - started) / 1000;
}

export async function measure(database: Database, options: DirectoryOptions, browser: Browser): Promise<Result> {
  const result: Result = { database: database.kind, users: options.users, seedSeconds: Number.NaN, loadAverage: { start: Number.NaN, end: Number.NaN }, errors: [] };
  const part = async <T>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
    console.error(`… ${database.kind}: ${name}`);
    try {
      return await run();
    } catch (error) {
      const message = `${name}: ${(error as Error).stack ?? String(error)}`;
      result.errors.push(message);
      console.error(`${database.kind}, ${message}`);
      return undefined;
    }
  };
  let servers: Instance[] = [];
  try {
    console.error(`… ${database.kind}: seeding ${options.users} users`);
    result.seedSeconds = await seed(database, options.users);
    servers = await startRoster({ instances: 1, port: options.port, maxConnections: 1_000, execArgv: [], databaseUrl: database.url });
    const { port } = options;
    const base = `http://127.0.0.1:${port}`;
    // The session cookie's value, for the browser contexts (the same sign-in as the stream bench's).
    const cookie = await signIn(port);
    const token = cookie.slice(cookie.indexOf('=') + 1);
    result.loadAverage.start = os.loadavg()[0] ?? Number.NaN;
    // Warm the routes once so first-request compilation and caches are not counted.
    await request(port, 'GET', '/api/users');
    await request(port, 'GET', '/', undefined, { Cookie: cookie });
    result.firstPage = await part("the dashboard's first page", () => firstPage(port, browser, base, token));
    result.api = await part('GET /api/users', () => api(port, options.users));
    result.createVisible = await part('create → visible in another browser', () => createVisible(port, browser, base, token));
    result.dashboards = await part('20 dashboards under 50 events', () => dashboardsUnderEvents(port, browser, base, token, options.users));
    result.consistency = await part('pages against their event ids', () => pageEventConsistency(port));
    result.delivery = await part('delivery: the screens’ reports against the bench', () => deliveryAgreement(port, browser, base, token));
  } catch (error) {
    result.errors.push(`start: ${(error as Error).stack ?? String(error)}`);
    console.error(`${database.kind}: ${result.errors.at(-1)}`);
  } finally {
    result.loadAverage.end = os.loadavg()[0] ?? Number.NaN;
    await stopAll(servers);
  }
  return result;
}

export async function directoryBench(options: DirectoryOptions): Promise<void> {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) throw new Error('No production build: run `npm run build` first.');
  if (!Number.isInteger(options.users) || options.users < MIN_USERS) throw new Error(`--users must be a whole number, ${MIN_USERS} or more.`);
  const unknown = options.databases.filter((kind) => !(KINDS as readonly string[]).includes(kind));
  if (unknown.length) throw new Error(`Unknown database ${unknown.join(', ')}: use ${KINDS.join(', ')}.`);
  const results: Result[] = [];
  const browser = await launchBrowser();
  const chromiumVersion = browser.version();
  try {
    for (const kind of options.databases as Kind[]) {
      const database = await createDatabase(kind, options.postgres);
      if (typeof database === 'string') {
        console.error(`Skipping ${kind}: ${database}. Start PostgreSQL, or set --postgres / BENCH_POSTGRES_URL.`);
        continue;
      }
      try {
        results.push(await measure(database, options, browser));
      } finally {
        await database.drop().catch((error: unknown) => console.error(`Could not drop the ${kind} database: ${(error as Error).message}`));
      }
    }
  } finally {
    await browser.close();
    agent.destroy();
    rmSync(TMP, { recursive: true, force: true });
  }
  console.log(
    [
      `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, servers on Node ${serverNodeVersion()}; Chromium ${chromiumVersion}`,
      ...(results.length ? results.map(table) : ['No database was measured.']),
    ].join('\n\n'),
  );
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const file = path.join(ROOT, `bench/results/directory-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ options, targets: TARGETS, results }, null, 2));
  console.error(`Wrote ${path.relative(ROOT, file)}`);
}
