// npm run bench -- --mode import – bulk changes at scale, for SQLite and PostgreSQL:
//   npm run bench -- --mode import --users 1000000 --databases sqlite,postgresql [--rows 100000,1000000] [--port 3700] [--bulk-only]
// Needs the production build (`npm run build`) and Chromium. Per database: a fresh database seeded
// with --users (as `npm run db:seed`), one `npm start`, then:
//   1. an import of the first --rows size (100,000) while 20 dashboards watch (the directory bench's
//      views, one Chromium) and a stream client counts frames: the most frames any second brought,
//      each dashboard's list requests per second, and at the end every dashboard against a fresh
//      GET /api/users of its view;
//   2. the same file again (every row unchanged);
//   3. each --rows size as new rows, with no browser open (Chromium's 20 pages share the 2 cores).
//   In 1–3, GET / and GET /api/users are timed, a pair four times a second, while the import runs, and
//   the server's RSS is sampled every 100 ms;
//   4. an export of the whole directory: time, bytes, RSS growth;
//   5. a bulk delete of the users of 1 (a search selects them, as "Select all that match" does) and its
//      Undo (a restore job), timed, with the pages timed and a stream's frames counted meanwhile.
// Prints a markdown table per database and writes bench/results/import-<time>.json.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import type { JobDTO } from '../lib/shared/jobs';
import { signIn } from './pages';
import { API_TOKEN, type Instance, ROOT, request, rssMb, rosterEnv, runScript, sleep, startRoster, stopAll } from './servers';
import { type Summary, summarize } from './stats';
import { launchBrowser, signedInContext, waitConnected } from './directory/browser';
import { f, now, RUN, TMP } from './directory/config';
import { createDatabase, type Database, KINDS, type Kind } from './directory/database';
import { compare, type Dashboard, dashboardUrl, type ViewSpec, viewSpecs } from './directory/live-dashboards';

export type ImportOptions = { users: number; rows: number[]; databases: string[]; port: number; postgres: string; bulkOnly?: boolean };

/** A dashboard and a page of the API four times a second: 480 of each a minute. */
const PROBE_INTERVAL_MS = 250;

const TARGETS = { import100kSeconds: 15, import1mSeconds: 150, importRssMb: 150, exportSeconds: 30, exportRssMb: 50, pageP95Ms: 150, framesPerSecond: 2, listPerSecond: 1, delete100kSeconds: 10, restore100kSeconds: 15 };

type Run = { rows: number; seconds: number; rssBeforeMb: number; rssPeakMb: number; job: JobDTO; dashboardPage?: Summary; apiPage?: Summary };
type Watch = {
  dashboards: number;
  equal: number;
  differences: string[];
  maxFramesPerSecond: number;
  frames: number;
  maxListPerSecond: number;
  meanListPerSecond: number;
  /** The pages with the 20 dashboards open and nothing happening, then during the import. */
  quietDashboardPage: Summary;
  quietApiPage: Summary;
};
/** A bulk job (a delete of a search's users, its Undo) as timed, with the pages and the stream's frames during it. */
type BulkRun = { seconds: number; job: JobDTO; dashboardPage: Summary; apiPage: Summary; maxFramesPerSecond: number; from: number; to: number };
type Result = {
  database: Kind;
  users: number;
  seedSeconds: number;
  watched?: Run & Watch;
  again?: Run;
  unwatched: Run[];
  export?: { seconds: number; bytes: number; rssBeforeMb: number; rssPeakMb: number };
  bulkDelete?: BulkRun;
  bulkRestore?: BulkRun;
  /** The same delete and undo with 20 dashboards open: are they equal to the server's views after each, and how often did they list. */
  bulkWatched?: { dashboards: number; equalAfterDelete: number; equalAfterUndo: number; differences: string[]; meanListPerSecond: number; maxListPerSecond: number; deleteSeconds: number; restoreSeconds: number; maxFramesPerSecond: number };
  errors: string[];
};

/** A CSV of `rows` new people (name,email), written to a file: the upload streams it from disk. */
async function csvFile(rows: number, label: string): Promise<string> {
  const file = path.join(TMP, `import-${label}.csv`);
  const out = await open(file, 'w');
  await out.write('name,email\n');
  for (let start = 0; start < rows; start += 10_000) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(rows, start + 10_000); i++) lines.push(`Imported Person ${i},imp${i}.${label}.${RUN}@import.example`);
    await out.write(`${lines.join('\n')}\n`);
  }
  await out.close();
  return file;
}

/** Peak RSS of `instance` while `work` runs, sampled every 100 ms. */
async function peakRss<T>(instance: Instance, work: () => Promise<T>): Promise<{ result: T; before: number; peak: number }> {
  const before = rssMb(instance);
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(instance))), 100);
  try {
    const result = await work();
    return { result, before, peak: Math.max(peak, rssMb(instance)) };
  } finally {
    clearInterval(timer);
  }
}

/** Uploads `file` (streamed from disk) and waits for its job to end; the job and the seconds from upload to end. */
async function importFile(port: number, file: string): Promise<{ job: JobDTO; seconds: number }> {
  const started = now();
  const body = await open(file);
  const { size } = await body.stat();
  const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: `/api/users/import?fileName=${path.basename(file)}`, headers: { Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'text/csv', 'Content-Length': size } },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    body.createReadStream().pipe(req);
  });
  if (answer.status !== 202) throw new Error(`POST /api/users/import answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const { job } = JSON.parse(answer.text) as { job: JobDTO };
  for (;;) {
    const state = JSON.parse((await request(port, 'GET', `/api/jobs/${job.id}`)).text) as JobDTO;
    if (['done', 'cancelled', 'failed'].includes(state.state)) return { job: state, seconds: (now() - started) / 1000 };
    await sleep(200);
  }
}

/** Starts a job with POST `path` and waits for it to end: the job and the seconds from the request to its end. */
async function runJob(port: number, path: string, body: unknown): Promise<{ job: JobDTO; seconds: number }> {
  const started = now();
  const answer = await request(port, 'POST', path, body);
  if (answer.status !== 202) throw new Error(`POST ${path} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  const { job } = JSON.parse(answer.text) as { job: JobDTO };
  for (;;) {
    const state = JSON.parse((await request(port, 'GET', `/api/jobs/${job.id}`)).text) as JobDTO;
    if (['done', 'cancelled', 'failed'].includes(state.state)) return { job: state, seconds: (now() - started) / 1000 };
    await sleep(100);
  }
}

/** A bulk job while the pages are timed and a stream client counts frames. */
async function timedJob(port: number, cookie: string, path: string, body: unknown): Promise<BulkRun> {
  let running = true;
  const frames = countFrames(port);
  const probing = probe(port, cookie, () => !running);
  const from = now();
  const run = await runJob(port, path, body).finally(() => (running = false));
  const to = now();
  const pages = await probing;
  await sleep(1_500); // the last frame
  frames.close();
  return { ...run, dashboardPage: summarize(pages.dashboard), apiPage: summarize(pages.api), maxFramesPerSecond: maxPerSecond(frames.times), from, to };
}

/**
 * Deletes the users matching `q` as the dashboard's "Select all that match" sends it (the view and
 * the event it was seen at), then Undo from the delete's activity entry; `between` runs in between.
 */
async function deleteAndUndo(port: number, cookie: string, q: string, between?: () => Promise<void>): Promise<[BulkRun, BulkRun]> {
  const seen = JSON.parse((await request(port, 'GET', `/api/users?q=${q}&limit=1`)).text) as { total: number; lastEventId: number };
  const deleted = await timedJob(port, cookie, '/api/jobs/delete', { q, role: '', atEventId: seen.lastEventId, total: seen.total });
  await between?.();
  const activity = JSON.parse((await request(port, 'GET', '/api/activity?limit=20')).text) as { entries: { id: number; kind: string; job?: JobDTO }[] };
  const entry = activity.entries.find((item) => item.kind === 'imported' && item.job?.id === deleted.job.id);
  if (!entry) throw new Error('The bulk delete has no activity entry');
  return [deleted, await timedJob(port, cookie, '/api/jobs/restore', { eventId: entry.id })];
}

/** Imports `file` while GET / and GET /api/users are timed one after the other: the run as measured. */
async function timedImport(server: Instance, port: number, cookie: string, file: string, rows: number): Promise<Run> {
  let running = true;
  const probing = probe(port, cookie, () => !running);
  const run = await peakRss(server, () => importFile(port, file)).finally(() => (running = false));
  const pages = await probing;
  return { rows, seconds: run.result.seconds, rssBeforeMb: run.before, rssPeakMb: run.peak, job: run.result.job, dashboardPage: summarize(pages.dashboard), apiPage: summarize(pages.api) };
}

/** The stream's frames as a dashboard's EventSource gets them: their times (ms). */
function countFrames(port: number): { times: number[]; close: () => void } {
  const times: number[] = [];
  const req = http.get({ host: '127.0.0.1', port, path: '/events', headers: { Authorization: `Bearer ${API_TOKEN}`, Accept: 'text/event-stream' } }, (res) => {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.startsWith('event: ') && line !== 'event: connected') times.push(now());
    });
  });
  req.on('error', () => undefined);
  return { times, close: () => req.destroy() };
}

/** The most of `times` (ms) within any one second. */
function maxPerSecond(times: number[]): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] ?? 0) - (times[j] ?? 0) >= 1_000) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/** GET / (with the session) and GET /api/users, one after the other until `done()`. */
/**
 * Times GET / (with a session) and GET /api/users, a pair every PROBE_INTERVAL_MS (right after the
 * last when it took longer), until `done`: people opening and paging the directory while an import
 * runs. Paced, not back to back: a request always in flight would take half of the server's one
 * thread from the import, and the import's time would measure the probe.
 */
async function probe(port: number, cookie: string, done: () => boolean): Promise<{ dashboard: number[]; api: number[] }> {
  const dashboard: number[] = [];
  const api: number[] = [];
  while (!done()) {
    const pair = now();
    let started = pair;
    await request(port, 'GET', '/', undefined, { Cookie: cookie });
    dashboard.push(now() - started);
    started = now();
    await request(port, 'GET', '/api/users');
    api.push(now() - started);
    await sleep(Math.max(0, PROBE_INTERVAL_MS - (now() - pair)));
  }
  return { dashboard, api };
}

type Watching = Dashboard & { lists: number[] };

/** A dashboard for each of `specs` in one signed-in Chromium context, live, each noting when it lists (GET /api/users). */
async function openDashboards(browser: Browser, port: number, token: string, specs: ViewSpec[]): Promise<{ context: BrowserContext; dashboards: Watching[] }> {
  const context = await signedInContext(browser, `http://127.0.0.1:${port}`, token);
  const dashboards: Watching[] = [];
  for (const spec of specs) {
    const url = await dashboardUrl(port, spec);
    const page: Page = await context.newPage();
    const lists: number[] = [];
    page.on('request', (req) => {
      if (new URL(req.url()).pathname === '/api/users') lists.push(now());
    });
    await page.goto(url);
    await waitConnected(page);
    dashboards.push({ spec, url, page, api: { setup: 0, outside: 0, mixed: 0 }, other: [], inflight: 0, lastActivity: 0, calls: [], touched: 0, lists });
  }
  return { context, dashboards };
}

/** Whether every dashboard shows what the server's view holds now, once their last refetches are in. */
async function settledComparison(port: number, dashboards: Watching[]): Promise<{ equal: number; differences: string[] }> {
  await sleep(3_000);
  const comparisons = await Promise.all(dashboards.map((dashboard) => compare(port, dashboard)));
  return { equal: comparisons.filter((c) => c.equal).length, differences: comparisons.filter((c) => !c.equal).map((c) => `${c.label}: ${c.difference ?? ''}`) };
}

/** The most list requests a dashboard made in any one second since `since`. */
const busiestLists = (dashboards: Watching[], since: number) => Math.max(...dashboards.map((d) => maxPerSecond(d.lists.filter((at) => at >= since))));

/** The busiest dashboard's list requests while `runs` ran: per second on average, and in its busiest second. */
function listRates(dashboards: Watching[], runs: BulkRun[]): { meanListPerSecond: number; maxListPerSecond: number } {
  const during = (d: Watching) => d.lists.filter((at) => runs.some((run) => at >= run.from && at <= run.to));
  const seconds = runs.reduce((sum, run) => sum + (run.to - run.from) / 1000, 0);
  return { meanListPerSecond: Math.max(...dashboards.map((d) => during(d).length)) / seconds, maxListPerSecond: Math.max(...dashboards.map((d) => maxPerSecond(during(d)))) };
}

async function measure(database: Database, options: ImportOptions): Promise<Result> {
  const result: Result = { database: database.kind, users: options.users, seedSeconds: Number.NaN, unwatched: [], errors: [] };
  const env = rosterEnv(database.url);
  await runScript('prisma/migrate.ts', [], env);
  const seeded = now();
  console.error(`… ${database.kind}: seeding ${options.users} users`);
  await runScript('prisma/seed.ts', ['--users', String(options.users)], env);
  result.seedSeconds = (now() - seeded) / 1000;
  const servers = await startRoster({ instances: 1, port: options.port, maxConnections: 1_000, execArgv: [], databaseUrl: database.url });
  const server = servers[0] as Instance;
  const browser = await launchBrowser();
  try {
    const { port } = options;
    const cookie = await signIn(port);
    const token = cookie.slice(cookie.indexOf('=') + 1);
    const [firstRows = 100_000, ...larger] = options.rows;

    const q = `${database.kind}-watched`;
    const file = await csvFile(firstRows, q);
    if (options.bulkOnly) {
      // --bulk-only: the users part 5 deletes, imported unwatched, then part 5 alone (a minute or two
      // instead of eight, to compare two builds' jobs; the table's figures come from whole runs).
      console.error(`… ${database.kind}: ${firstRows} rows, then deleting the users matching “${q}” and undoing it`);
      result.unwatched.push(await timedImport(server, port, cookie, file, firstRows));
      rmSync(file, { force: true });
      [result.bulkDelete, result.bulkRestore] = await deleteAndUndo(port, cookie, q);
      return result;
    }

    // 1. An import watched by 20 dashboards (one Chromium on the same two cores) and a stream client.
    console.error(`… ${database.kind}: ${firstRows} rows with 20 dashboards open`);
    const { context, dashboards } = await openDashboards(browser, port, token, viewSpecs(options.users));
    const frames = countFrames(port);
    const quietUntil = now() + 5_000;
    const quiet = await probe(port, cookie, () => now() > quietUntil);
    const importStarted = now();
    const watched = await timedImport(server, port, cookie, file, firstRows);
    const importEnded = now();
    await sleep(3_000); // the last frame's refetches
    frames.close();
    const comparisons = await Promise.all(dashboards.map((dashboard) => compare(port, dashboard)));
    result.watched = {
      ...watched,
      dashboards: dashboards.length,
      equal: comparisons.filter((c) => c.equal).length,
      differences: comparisons.filter((c) => !c.equal).map((c) => `${c.label}: ${c.difference ?? ''}`),
      maxFramesPerSecond: maxPerSecond(frames.times),
      frames: frames.times.length,
      maxListPerSecond: busiestLists(dashboards, importStarted),
      meanListPerSecond: Math.max(...dashboards.map((d) => d.lists.filter((at) => at >= importStarted && at <= importEnded).length)) / ((importEnded - importStarted) / 1000),
      quietDashboardPage: summarize(quiet.dashboard),
      quietApiPage: summarize(quiet.api),
    };
    await context.close();

    // 2. The same file again: nothing changes.
    console.error(`… ${database.kind}: the same ${firstRows} rows again`);
    result.again = await timedImport(server, port, cookie, file, firstRows);
    rmSync(file, { force: true });

    // 3. New files with no browser open: the import's own speed and the pages' latency during it.
    for (const rows of [firstRows, ...larger]) {
      console.error(`… ${database.kind}: ${rows} rows`);
      const fresh = await csvFile(rows, `${database.kind}-${rows}`);
      result.unwatched.push(await timedImport(server, port, cookie, fresh, rows));
      rmSync(fresh, { force: true });
    }

    // 4. Export everything.
    console.error(`… ${database.kind}: exporting the whole directory`);
    const exported = await peakRss(server, async () => {
      const started = now();
      const answer = await request(port, 'GET', '/api/users/export');
      return { seconds: (now() - started) / 1000, bytes: Buffer.byteLength(answer.text) };
    });
    result.export = { ...exported.result, rssBeforeMb: exported.before, rssPeakMb: exported.peak };

    // 5. Delete the first import's users, found by a search (its label is in every email), as the
    //    dashboard's "Select all that match" sends it; then its Undo, from the delete's activity entry.
    console.error(`… ${database.kind}: deleting the users matching “${q}”, then undoing it`);
    [result.bulkDelete, result.bulkRestore] = await deleteAndUndo(port, cookie, q);

    // 6. The same with 20 dashboards open (one Chromium, as in 1), two of them on the view it empties.
    console.error(`… ${database.kind}: the same with 20 dashboards open`);
    const specs: ViewSpec[] = [
      ...viewSpecs(options.users).slice(0, 18),
      { label: `q=${q} createdAt desc p1 (the view deleted)`, view: { q, sort: 'createdAt', order: 'desc' }, page: 1 },
      { label: `q=${q} name asc p2 (the view deleted)`, view: { q, sort: 'name', order: 'asc' }, page: 2 },
    ];
    const watching = await openDashboards(browser, port, token, specs);
    try {
      let afterDelete = { equal: 0, differences: [] as string[] };
      const [deleted, restored] = await deleteAndUndo(port, cookie, q, async () => {
        afterDelete = await settledComparison(port, watching.dashboards);
      });
      const afterUndo = await settledComparison(port, watching.dashboards);
      result.bulkWatched = {
        dashboards: specs.length,
        equalAfterDelete: afterDelete.equal,
        equalAfterUndo: afterUndo.equal,
        differences: [...afterDelete.differences, ...afterUndo.differences],
        ...listRates(watching.dashboards, [deleted, restored]),
        deleteSeconds: deleted.seconds,
        restoreSeconds: restored.seconds,
        maxFramesPerSecond: Math.max(deleted.maxFramesPerSecond, restored.maxFramesPerSecond),
      };
    } finally {
      await watching.context.close();
    }
  } catch (error) {
    result.errors.push((error as Error).stack ?? String(error));
  } finally {
    await browser.close();
    await stopAll(servers);
  }
  return result;
}

const ok = (good: boolean) => (good ? '✓' : '✗');

function report(result: Result): string {
  const lines = [`### ${result.database}, ${result.users.toLocaleString('en-US')} users (seeded in ${f(result.seedSeconds, 1)} s)`, '', '| | measured | target | |', '| --- | ---: | ---: | :-: |'];
  const row = (label: string, value: string, target: string, good: boolean) => lines.push(`| ${label} | ${value} | ${target} | ${ok(good)} |`);
  const growth = (run: { rssBeforeMb: number; rssPeakMb: number }) => run.rssPeakMb - run.rssBeforeMb;
  const counts = (job: JobDTO) => `${job.created.toLocaleString('en-US')} new, ${job.updated} updated, ${job.unchanged.toLocaleString('en-US')} unchanged, ${job.failed} failed (${job.state})`;
  const pages = (run: Run, during: string) => {
    if (!run.dashboardPage || !run.apiPage) return;
    row(`dashboard GET / p95 ${during}`, `${f(run.dashboardPage.p95, 1)} ms (p50 ${f(run.dashboardPage.p50, 1)}, ${run.dashboardPage.count} requests)`, `≤ ${TARGETS.pageP95Ms} ms`, run.dashboardPage.p95 <= TARGETS.pageP95Ms);
    row(`GET /api/users p95 ${during}`, `${f(run.apiPage.p95, 1)} ms (p50 ${f(run.apiPage.p50, 1)})`, `≤ ${TARGETS.pageP95Ms} ms`, run.apiPage.p95 <= TARGETS.pageP95Ms);
  };
  const seconds = (run: Run) => (run.rows >= 1_000_000 ? TARGETS.import1mSeconds : TARGETS.import100kSeconds);
  for (const run of result.unwatched) {
    row(`import ${run.rows.toLocaleString('en-US')} new rows`, `${f(run.seconds, 1)} s — ${counts(run.job)}`, `≤ ${seconds(run)} s`, run.seconds <= seconds(run));
    row('server RSS growth during it', `${f(growth(run))} MB (${f(run.rssBeforeMb)} → ${f(run.rssPeakMb)})`, `≤ ${TARGETS.importRssMb} MB`, growth(run) <= TARGETS.importRssMb);
    pages(run, 'during it');
  }
  if (result.again) {
    row(`the same ${result.again.rows.toLocaleString('en-US')} rows again`, `${f(result.again.seconds, 1)} s — ${counts(result.again.job)}`, 'nothing changed', result.again.job.created + result.again.job.updated === 0);
  }
  if (result.watched) {
    const r = result.watched;
    row(`import ${r.rows.toLocaleString('en-US')} rows with 20 dashboards open (one Chromium, same 2 cores)`, `${f(r.seconds, 1)} s — ${counts(r.job)}`, `≤ ${seconds(r)} s`, r.seconds <= seconds(r));
    lines.push(`| dashboard GET / and GET /api/users p95 with the 20 dashboards open, before it | ${f(r.quietDashboardPage.p95, 1)} ms / ${f(r.quietApiPage.p95, 1)} ms | | |`);
    pages(r, 'during it, 20 dashboards open');
    row('frames a dashboard got in its busiest second', `${r.maxFramesPerSecond} (${r.frames} in all)`, `≤ ${TARGETS.framesPerSecond}`, r.maxFramesPerSecond <= TARGETS.framesPerSecond);
    row('list requests of the busiest dashboard per second (its busiest second)', `${f(r.meanListPerSecond, 2)} (${r.maxListPerSecond})`, `≤ ${TARGETS.listPerSecond}`, r.meanListPerSecond <= TARGETS.listPerSecond);
    row('dashboards equal to the server’s view at the end', `${r.equal} / ${r.dashboards}`, 'all', r.equal === r.dashboards);
    for (const difference of r.differences) lines.push(`| ↳ ${difference.replace(/\|/g, '\\|').slice(0, 400)} | | | |`);
  }
  if (result.export) {
    const e = result.export;
    row('export the whole directory', `${f(e.seconds, 1)} s, ${f(e.bytes / 1e6)} MB`, `≤ ${TARGETS.exportSeconds} s`, e.seconds <= TARGETS.exportSeconds);
    row('server RSS growth during it', `${f(growth(e))} MB (${f(e.rssBeforeMb)} → ${f(e.rssPeakMb)})`, `≤ ${TARGETS.exportRssMb} MB`, growth(e) <= TARGETS.exportRssMb);
  }
  const bulk = (label: string, run: BulkRun | undefined, done: number, target: number) => {
    if (!run) return;
    row(label, `${f(run.seconds, 1)} s — ${done.toLocaleString('en-US')} users, ${run.job.failed} failed (${run.job.state})`, `≤ ${target} s`, run.seconds <= target);
    row('dashboard GET / and GET /api/users p95 during it', `${f(run.dashboardPage.p95, 1)} ms / ${f(run.apiPage.p95, 1)} ms (${run.dashboardPage.count} requests)`, `≤ ${TARGETS.pageP95Ms} ms`, Math.max(run.dashboardPage.p95, run.apiPage.p95) <= TARGETS.pageP95Ms);
    row('frames a stream got in its busiest second', String(run.maxFramesPerSecond), `≤ ${TARGETS.framesPerSecond}`, run.maxFramesPerSecond <= TARGETS.framesPerSecond);
  };
  bulk('delete the users a search selects (a job: POST /api/jobs/delete)', result.bulkDelete, result.bulkDelete?.job.deleted ?? 0, TARGETS.delete100kSeconds);
  bulk('undo it (POST /api/jobs/restore)', result.bulkRestore, result.bulkRestore?.job.restored ?? 0, TARGETS.restore100kSeconds);
  if (result.bulkWatched) {
    const w = result.bulkWatched;
    lines.push(`| the same delete and undo with 20 dashboards open (one Chromium, same 2 cores) | ${f(w.deleteSeconds, 1)} s and ${f(w.restoreSeconds, 1)} s | | |`);
    row('frames a stream got in its busiest second', String(w.maxFramesPerSecond), `≤ ${TARGETS.framesPerSecond}`, w.maxFramesPerSecond <= TARGETS.framesPerSecond);
    row('list requests of the busiest dashboard per second during the jobs (its busiest second)', `${f(w.meanListPerSecond, 2)} (${w.maxListPerSecond})`, `≤ ${TARGETS.listPerSecond}`, w.meanListPerSecond <= TARGETS.listPerSecond);
    row('dashboards equal to the server’s view after the delete / after the undo', `${w.equalAfterDelete} / ${w.equalAfterUndo} of ${w.dashboards}`, 'all', w.equalAfterDelete === w.dashboards && w.equalAfterUndo === w.dashboards);
    for (const difference of w.differences) lines.push(`| ↳ ${difference.replace(/\|/g, '\\|').slice(0, 400)} | | | |`);
  }
  for (const error of result.errors) lines.push('', `Error: ${error}`);
  return lines.join('\n');
}

export async function importBench(options: ImportOptions): Promise<void> {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  const results: Result[] = [];
  for (const kind of options.databases) {
    if (!KINDS.includes(kind as Kind)) throw new Error(`Unknown database ${kind}: use ${KINDS.join(', ')}`);
    const database = await createDatabase(kind as Kind, options.postgres);
    if (typeof database === 'string') {
      console.error(`${kind}: skipped (${database})`);
      continue;
    }
    try {
      const result = await measure(database, options);
      results.push(result);
      console.log(`${report(result)}\n`);
    } finally {
      await database.drop();
    }
  }
  writeFileSync(path.join(ROOT, `bench/results/import-${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(results, null, 2));
}
