// Sessions that really end, and a password that cannot be guessed from many addresses:
// - "Sign out" ends the session at once: a copy of its cookie is refused on the API, the page and
//   the stream, and its open streams get `expired` — on every instance (PostgreSQL + Redis);
// - "Sign out everywhere" ends every browser's session; a new ADMIN_PASSWORD ends the old ones;
// - wrong passwords from any number of addresses are checked at most 10 a minute in all, while
//   a browser that signed in before still gets in.
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, eventually, postUser, uniqueEmail } from '../support/api';
import { twoInstances } from '../support/instances';
import { withClient } from '../support/postgres';
import { ADMIN_PASSWORD } from '../support/secrets';
import { logEntries, readLog, SERVES, startServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { clientAddress, SESSION_COOKIE, sessionCookieOf, signIn, storedSession, submitSignIn, submitSignOut } from '../support/session';
import { SseClient } from '../support/sse';

const clients: SseClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

async function stream(baseUrl: string, cookie: string): Promise<SseClient> {
  const client = await SseClient.connect(`${baseUrl}/events`, {}, { cookie });
  clients.push(client);
  expect((await client.next()).event).toBe('connected');
  return client;
}

/** Every door a cookie opens: the API (read and write), the dashboard, the stream. */
async function doorsFor(baseUrl: string, cookie: string) {
  const headers = { Cookie: cookie };
  const api = (await fetch(`${baseUrl}/api/users`, { headers })).status;
  const write = (await postUser(baseUrl, { name: 'With A Copied Cookie', email: uniqueEmail('copied') }, { auth: { cookie } })).status;
  const page = await fetch(`${baseUrl}/`, { headers, redirect: 'manual' });
  const events = (await fetch(`${baseUrl}/events`, { headers: { ...headers, Accept: 'text/event-stream' } })).status;
  return { api, write, page: page.status === 307 ? `-> ${new URL(page.headers.get('location') ?? '', baseUrl).pathname}` : page.status, events };
}
const OPEN = { api: 200, write: 201, page: 200, events: 200 };
const REFUSED = { api: 401, write: 401, page: '-> /login', events: 401 };

/** Waits for `expired` on the stream (skipping anything else) and says how long it took. */
async function expiredWithin(client: SseClient, since: number, timeoutMs = 2_000): Promise<number> {
  for (;;) {
    const message = await client.next(Math.max(1, since + timeoutMs - Date.now()));
    if (message.event === 'expired') return Date.now() - since;
  }
}

describe.each(SERVES)('sign-out on one instance (%s)', (serve) => {
  const { baseUrl } = inject('servers')[serve];

  it('refuses a cookie copied before "Sign out" on the API, the page and the stream, and ends its open stream', async () => {
    const cookie = await signIn(baseUrl);
    const other = await signIn(baseUrl);
    const open = await stream(baseUrl, cookie);
    const untouched = await stream(baseUrl, other);
    expect(await doorsFor(baseUrl, cookie)).toEqual(OPEN);

    const signedOutAt = Date.now();
    const response = await submitSignOut(baseUrl, cookie);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login');
    expect(await expiredWithin(open, signedOutAt)).toBeLessThan(2_000);
    await expect(open.next(1_000)).rejects.toThrow('The event stream ended');
    expect(await doorsFor(baseUrl, cookie)).toEqual(REFUSED);
    // Another browser's session goes on, stream and all.
    expect(await doorsFor(baseUrl, other)).toEqual(OPEN);
    const user = await createUser(baseUrl, 'Still Live', uniqueEmail());
    for (;;) {
      const message = await untouched.next();
      if (message.event === 'user_created' && (JSON.parse(message.data) as { id: number }).id === user.id) break;
    }
  });
});

const up = await servicesUp('postgres', 'redis');

describe.skipIf(!up)('two instances on PostgreSQL and Redis', () => {
  const two = twoInstances('sessions');

  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('ends the session everywhere on "Sign out": the other instance closes its stream with expired within 2 s', async () => {
    const cookie = await signIn(two.a.url);
    const onB = await stream(two.b.url, cookie);
    expect(await doorsFor(two.b.url, cookie)).toEqual(OPEN);

    const signedOutAt = Date.now();
    expect((await submitSignOut(two.a.url, cookie)).status).toBe(303);

    expect(await expiredWithin(onB, signedOutAt)).toBeLessThan(2_000);
    expect(await doorsFor(two.b.url, cookie)).toEqual(REFUSED);
    expect(await doorsFor(two.a.url, cookie)).toEqual(REFUSED);
  });

  it('ends two browsers\' sessions, on both instances, with "Sign out everywhere"; API tokens go on', async () => {
    const [first, second] = [await signIn(two.a.url), await signIn(two.b.url)];
    const streams = [await stream(two.a.url, first), await stream(two.b.url, second), await stream(two.a.url, second)];
    const token = await SseClient.connect(`${two.b.url}/events`);
    clients.push(token);
    expect((await token.next()).event).toBe('connected');

    const at = Date.now();
    const response = await submitSignOut(two.b.url, first, { everywhere: true });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login');
    expect(sessionCookieOf(response)).toBe(`${SESSION_COOKIE}=`);
    for (const client of streams) expect(await expiredWithin(client, at)).toBeLessThan(2_000);
    for (const server of [two.a, two.b]) for (const cookie of [first, second]) expect(await doorsFor(server.url, cookie)).toEqual(REFUSED);
    expect(await withClient(two.database.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM "Session"')).rows[0])).toEqual({ n: 0 });
    // The token's stream belongs to no session: it carries on.
    const user = await createUser(two.a.url, 'After Everywhere', uniqueEmail());
    for (;;) {
      const message = await token.next();
      if (message.event === 'user_created' && (JSON.parse(message.data) as { id: number }).id === user.id) break;
    }
  });

  it('ends every session made with the old ADMIN_PASSWORD once the instances restart with a new one', async () => {
    const cookie = await signIn(two.a.url);
    expect(await doorsFor(two.a.url, cookie)).toEqual(OPEN);
    await Promise.all([two.a.stop(), two.b.stop()]);

    const NEW_PASSWORD = 'a-new-admin-password-after-a-leak';
    [two.a, two.b] = [await two.instance({ ADMIN_PASSWORD: NEW_PASSWORD }), await two.instance({ ADMIN_PASSWORD: NEW_PASSWORD })];

    for (const server of [two.a, two.b]) expect(await doorsFor(server.url, cookie)).toEqual(REFUSED);
    // Purged at start-up, not only refused.
    const rows = await withClient(two.database.url, async (client) => (await client.query('SELECT count(*)::int AS n FROM "Session"')).rows[0]);
    expect(rows).toEqual({ n: 0 });
    expect(sessionCookieOf(await submitSignIn(two.a.url, ADMIN_PASSWORD))).toBeUndefined();
    const fresh = sessionCookieOf(await submitSignIn(two.a.url, NEW_PASSWORD)) ?? '';
    expect(await doorsFor(two.b.url, fresh)).toEqual(OPEN);
  });
});

describe('guessing passwords across the server', () => {
  let server: TestServer;
  let knownDevice: string;

  beforeAll(async () => {
    server = await startServer();
    // The admin signed in from this browser before: it holds a known-device cookie.
    const response = await submitSignIn(server.url, ADMIN_PASSWORD);
    knownDevice = response.headers.getSetCookie().find((cookie) => cookie.startsWith('roster_device='))?.split(';')[0] ?? '';
  });

  afterAll(async () => {
    await server?.stop();
  });

  const answerOf = async (response: Response) => {
    const html = await response.text();
    if (response.status === 303) return 'signed in';
    if (html.includes('That email and password do not match')) return 'not right';
    if (html.includes('Too many wrong passwords on this server just now.')) return 'server busy';
    if (html.includes('Too many wrong passwords for this account just now.')) return 'account busy';
    return `unexpected: ${response.status}`;
  };

  it('checks at most 10 of 30 parallel wrong passwords from 30 addresses (30 accounts), refuses the rest unchecked, and lets the admin in after', async () => {
    expect(knownDevice).toMatch(/^roster_device=.+/);
    // Each at another email, so that only the server's budget stands in the way (the account's is accounts.test.ts's).
    const guesses = Array.from({ length: 30 }, (_, i) => submitSignIn(server.url, `guess-${i}`, { 'X-Forwarded-For': clientAddress() }, `nobody-${i}@roster.test`));
    const answers = await Promise.all(guesses.map(async (guess) => answerOf(await guess)));

    const notRight = answers.filter((answer) => answer === 'not right').length;
    expect(notRight).toBeGreaterThan(0);
    expect(notRight).toBeLessThanOrEqual(10);
    expect(answers.filter((answer) => answer === 'server busy')).toHaveLength(30 - notRight);
    const failures = logEntries(await readLog(server.logFile)).filter((entry) => entry.msg === 'sign-in failed');
    expect(failures).toHaveLength(notRight);

    // Now even the right password from a new browser waits for the budget...
    expect(await answerOf(await submitSignIn(server.url, ADMIN_PASSWORD))).toBe('server busy');
    // ...but the browser the admin signed in from before gets in at once, and has its own allowance.
    const known = { Cookie: knownDevice };
    expect(await answerOf(await submitSignIn(server.url, 'a-typo', known))).toBe('not right');
    expect(await answerOf(await submitSignIn(server.url, ADMIN_PASSWORD, known))).toBe('signed in');

    // One check comes back every 6 s (10 a minute): the right password gets in after that.
    const started = Date.now();
    const signedIn = await eventually(
      async () => answerOf(await submitSignIn(server.url, ADMIN_PASSWORD)),
      (answer) => answer === 'signed in',
      15_000,
    );
    expect(signedIn).toBe('signed in');
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('never lets one address try more than 10 times a minute, even with the right password', async () => {
    const from = { 'X-Forwarded-For': clientAddress() };
    const answers: string[] = [];
    for (let i = 0; i < 10; i++) answers.push(await answerOf(await submitSignIn(server.url, `guess-${i}`, from)));
    expect(answers.every((answer) => answer === 'not right' || answer === 'server busy' || answer === 'account busy'), answers.join()).toBe(true);

    const eleventh = await submitSignIn(server.url, ADMIN_PASSWORD, from);

    expect(sessionCookieOf(eleventh)).toBeUndefined();
    expect(await eleventh.text()).toMatch(/Too many attempts\. Try again in \d+ s\./);
  });
});

describe('sessions in the database', () => {
  const baseUrl = inject('baseUrl');
  const databaseFile = inject('databaseFile');

  it('keeps a row per sign-in, under the hash of the cookie\'s token, and deletes it on sign-out', async () => {
    const cookie = await signIn(baseUrl);
    expect(storedSession(databaseFile, cookie)).toMatchObject({ expiresAt: expect.any(String), lastSeenAt: expect.any(String) });
    await submitSignOut(baseUrl, cookie);
    expect(storedSession(databaseFile, cookie)).toBeUndefined();
  });
});
