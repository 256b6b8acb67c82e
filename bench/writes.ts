// npm run bench -- --mode writes [--databases sqlite,postgresql] [--creates 500]
// What a write costs: POST /api/users latency one at a time and eight at once, with 20 streams
// open, on each database; and what signing in and the session check on every request cost
// (a sign-in through the form and one with a passkey, timed; GET /api/users?limit=1 with the session cookie and with the
// API token, whose difference is the session lookup). BENCH_APP_ROOT=<another built checkout> runs that version's server with
// this same benchmark, so a before/after comparison is one command per side on one machine.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { createDatabase, type Kind } from './directory/database';
import { callAction, passkeyStepsOf } from '../tests/support/actions';
import { SoftAuthenticator } from '../tests/support/authenticator';
import { SESSION_COOKIE, sessionCookieOf, submitSignIn } from '../tests/support/session';
import { agent, API_TOKEN, APP_ROOT, request, ROSTER_ENV, rosterEnv, runScript, serverNodeVersion, startRoster, stopAll } from './servers';
import { type Summary, summarize } from './stats';

type WritesOptions = { databases: string[]; creates: number; port: number; postgres: string };

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function timedCreate(port: number): Promise<number> {
  const started = nowMs();
  const answer = await request(port, 'POST', '/api/users', { name: 'Bench Writer', email: `w-${randomUUID()}@example.com` }, {}, false);
  if (answer.status !== 201) throw new Error(`POST /api/users answered ${answer.status}: ${answer.text}`);
  return nowMs() - started;
}

/** Sign-ins through the real form, one at a time, each from an address of its own (10 a minute per address). */
async function signIns(port: number, count: number): Promise<{ times: Summary; cookie: string }> {
  const base = `http://127.0.0.1:${port}`;
  const times: number[] = [];
  let cookie = '';
  for (let i = 0; i < count; i++) {
    const started = nowMs();
    const response = await submitSignIn(base, ROSTER_ENV.ADMIN_PASSWORD, { Origin: base, 'X-Forwarded-For': `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}` }, ROSTER_ENV.ADMIN_EMAIL);
    times.push(nowMs() - started);
    cookie = sessionCookieOf(response) ?? '';
    if (!cookie) throw new Error(`signing in answered ${response.status} without a session cookie`);
  }
  return { times: summarize(times), cookie };
}

type Step<O> = { options?: O; error?: string };

/**
 * Passkey sign-ins, one at a time, each from an address of its own: both steps (the challenge, then
 * the authenticator's answer checked), with a software authenticator that answers at once, so the
 * times are the server's. The admin adds the passkey first, on the account page. Null for a
 * version of Roster without passkeys (BENCH_APP_ROOT).
 */
async function passkeySignIns(port: number, cookie: string, count: number): Promise<Summary | null> {
  const base = `http://127.0.0.1:${port}`;
  const account = await fetch(`${base}/account`, { headers: { Cookie: cookie } });
  if (account.status !== 200) return null;
  const html = await account.text();
  if (!html.includes('ceremony')) return null;
  const adding = passkeyStepsOf(html);
  const authenticator = new SoftAuthenticator(base);
  const created = await callAction<Step<Parameters<SoftAuthenticator['create']>[0]>>(base, '/account', adding.start, undefined, { Cookie: cookie });
  if (!created.value?.options) throw new Error(`no options to add a passkey: ${JSON.stringify(created.value)}`);
  const added = await callAction<Step<never>>(base, '/account', adding.finish, { arg: '', response: JSON.stringify(authenticator.create(created.value.options)) }, { Cookie: cookie });
  if (added.value?.error) throw new Error(`adding a passkey: ${added.value.error}`);
  const signingIn = passkeyStepsOf(await (await fetch(`${base}/login`)).text());
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const headers = { 'X-Forwarded-For': `10.8.${Math.floor(i / 250)}.${(i % 250) + 1}` };
    const started = nowMs();
    const challenge = await callAction<Step<Parameters<SoftAuthenticator['get']>[0]>>(base, '/login', signingIn.start, undefined, headers);
    if (!challenge.value?.options) throw new Error('no sign-in challenge');
    const answer = await callAction<Step<never>>(base, '/login', signingIn.finish, { arg: '', response: JSON.stringify(authenticator.get(challenge.value.options)) }, headers);
    times.push(nowMs() - started);
    if (!answer.setCookies.some((header) => header.startsWith(`${SESSION_COOKIE}=`) && !header.startsWith(`${SESSION_COOKIE}=;`))) throw new Error(`passkey sign-in failed: ${JSON.stringify(answer.value)}`);
  }
  return summarize(times);
}

/** GET /api/users?limit=1, one at a time, with `headers` (the session cookie, or the default token). */
async function reads(port: number, count: number, headers: Record<string, string>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = nowMs();
    const answer = await request(port, 'GET', '/api/users?limit=1', undefined, headers, false);
    if (answer.status !== 200) throw new Error(`GET /api/users answered ${answer.status}`);
    times.push(nowMs() - started);
  }
  return times;
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
      rows.push(`| ${kind} | skipped: ${database} | | | | | | | |`);
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
      const signedIn = await signIns(options.port, 25);
      const byPasskey = await passkeySignIns(options.port, signedIn.cookie, 25);
      await reads(options.port, 100, {}); // warm-up
      // Alternating blocks, so drift in the machine's load falls on both alike.
      const byToken: number[] = [];
      const byCookie: number[] = [];
      for (let block = 0; block < 5; block++) {
        byToken.push(...await reads(options.port, 100, {}));
        byCookie.push(...await reads(options.port, 100, { Authorization: '', Cookie: signedIn.cookie }));
      }
      const [token, cookie] = [summarize(byToken), summarize(byCookie)];
      const p50p95 = (s: Summary) => `${s.p50.toFixed(2)} / ${s.p95.toFixed(2)}`;
      rows.push(
        `| ${kind} | ${cell(one)} | ${cell(eight)} | ${eight.perSecond.toFixed(0)} | ${p50p95(signedIn.times)} | ${byPasskey ? p50p95(byPasskey) : 'n/a'} | ${p50p95(token)} | ${p50p95(cookie)} |`,
      );
    } finally {
      for (const stream of streams) stream.destroy();
      await stopAll(servers);
      await database.drop();
    }
  }
  console.log(`\nPOST /api/users on ${APP_ROOT}, ${options.creates} creates each way, 20 streams open, servers on Node ${serverNodeVersion()} (ms, p50 / p99)\n`);
  console.log(
    '| database | create, one at a time | create, eight at once | creates/s, eight at once | sign-in (form, p50 / p95) | sign-in (passkey, both steps, p50 / p95) | GET /api/users?limit=1 with the token (p50 / p95) | the same with a session cookie |\n| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  console.log(rows.join('\n'));
  agent.destroy();
}
