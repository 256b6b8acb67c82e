// Who gets in: production refuses to start open, the API and the stream answer 401 to anyone
// without a session cookie or the API token, sign-in and sign-out through the real login form,
// and a stream opened with a session ends when the session does.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { authHeaders, createUser, eventually, health, listUsers, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { ADMIN_PASSWORD, METRICS_TOKEN } from '../support/secrets';
import { exited, freePort, type Serve, SERVES, spawnRoster, tempDir } from '../support/server';
import { SESSION_COOKIE, plantSession, sessionCookieOf, signIn, submitSignIn } from '../support/session';
import { SseClient } from '../support/sse';

const baseUrl = inject('baseUrl');
const servers = inject('servers');

/** A cookie of the right shape that the server never issued. */
const madeUpCookie = () => `${SESSION_COOKIE}=${randomBytes(32).toString('base64url')}`;

describe('start-up', () => {
  /**
   * Runs `npm start`'s server with the environment changes and waits for it to exit (at most 20 s),
   * asking for the user list all the while: a server that will refuse must never answer one.
   */
  async function startExpectingRefusal(env: Record<string, string | undefined>) {
    const scratch = await tempDir('refusal');
    const port = await freePort();
    const server = spawnRoster(port, path.join(scratch.dir, 'roster.db'), path.join(scratch.dir, 'stdout.log'), env);
    const answered: number[] = [];
    let gone = false;
    const probing = (async () => {
      while (!gone) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/api/users`, { signal: AbortSignal.timeout(1_000) });
          answered.push(response.status);
          await response.arrayBuffer();
        } catch {
          // not listening (yet or any more), or the connection died with the process
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    try {
      const exitedInTime = await Promise.race([
        exited(server.child).then(() => true),
        new Promise<boolean>((resolve) => setTimeout(resolve, 20_000, false)),
      ]);
      return { exitedInTime, code: server.child.exitCode, output: server.output(), answered };
    } finally {
      gone = true;
      server.child.kill('SIGKILL');
      await exited(server.child);
      await probing;
      await scratch.remove();
    }
  }

  it('refuses to start without ADMIN_PASSWORD and SESSION_SECRET, naming both', async () => {
    const { exitedInTime, code, output, answered } = await startExpectingRefusal({
      ADMIN_PASSWORD: undefined,
      SESSION_SECRET: undefined,
    });

    expect(exitedInTime, output).toBe(true);
    expect(code).toBe(1);
    expect(output).toContain('Roster refuses to start: set ADMIN_PASSWORD and SESSION_SECRET.');
    // The server listens only once the app has started (its checks done).
    expect(answered).toEqual([]);
  }, 30_000);

  it('refuses to start with ADMIN_PASSWORD alone (the shared password of before accounts), saying to add ADMIN_EMAIL', async () => {
    const { exitedInTime, code, output, answered } = await startExpectingRefusal({ ADMIN_EMAIL: undefined });

    expect(exitedInTime, output).toBe(true);
    expect(code).toBe(1);
    expect(output).toContain('Roster refuses to start: set ADMIN_EMAIL.');
    expect(output).toContain('ADMIN_PASSWORD alone no longer signs anyone in: add ADMIN_EMAIL=you@example.org.');
    expect(answered).toEqual([]);
  }, 30_000);

  it('refuses to start with an ADMIN_PASSWORD under 8 characters, naming the rule', async () => {
    const { exitedInTime, code, output } = await startExpectingRefusal({ ADMIN_PASSWORD: 'seven77' });

    expect(exitedInTime, output).toBe(true);
    expect(code).not.toBe(0);
    expect(output).toContain('ADMIN_PASSWORD: Password must be at least 8 characters');
    expect(output).not.toContain('seven77');
  }, 30_000);

  it('refuses to start with a password but no SESSION_SECRET, naming only that', async () => {
    const { exitedInTime, code, output, answered } = await startExpectingRefusal({ SESSION_SECRET: undefined });

    expect(exitedInTime, output).toBe(true);
    expect(code).toBe(1);
    expect(output).toContain('Roster refuses to start: set SESSION_SECRET.');
    expect(answered).toEqual([]);
  }, 30_000);
});

describe('requests without valid credentials', () => {
  let victim: { id: number };
  beforeAll(async () => {
    victim = await createUser(baseUrl, 'Not Deleted By Strangers');
  });

  // Each credential is made for the server a request goes to (sessions are planted in its database).
  const credentials: [string, (databaseFile: string) => Promise<Record<string, string>>][] = [
    ['no credentials', async () => ({})],
    ['a wrong bearer token', async () => authHeaders({ bearer: 'not-the-api-token-0123456789' })],
    ['a session cookie the server never issued', async () => ({ Cookie: madeUpCookie() })],
    ['an expired session', async (file) => ({ Cookie: plantSession(file, { expiresAt: new Date(Date.now() - 60_000) }) })],
    [
      'a session made with an earlier admin password',
      async (file) => ({ Cookie: plantSession(file, { expiresAt: new Date(Date.now() + 3600_000), madeWith: 'scrypt$16$8$1$the-hash-of-the-previous-password' }) }),
    ],
  ];
  type Request = [what: string, serve: Serve, send: (base: string, headers: Record<string, string>) => Promise<Response>];
  const requests: Request[] = [
    ['GET /api/users', 'npm start', (base, headers) => fetch(`${base}/api/users`, { headers })],
    [
      'POST /api/users',
      'npm start',
      (base, headers) =>
        fetch(`${base}/api/users`, {
          method: 'POST',
          headers: { ...headers, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: 'Intruder', email: uniqueEmail('intruder') }),
        }),
    ],
    ['DELETE /api/users/{id}', 'npm start', (base, headers) => fetch(`${base}/api/users/${victim.id}`, { method: 'DELETE', headers })],
    ...SERVES.map((serve): Request => [`GET /events (${serve})`, serve, (base, headers) => fetch(`${base}/events`, { headers: { ...headers, Accept: 'text/event-stream' } })]),
  ];
  const cases = credentials.flatMap(([who, headers]) => requests.map(([what, serve, send]) => [what, who, serve, headers, send] as const));

  it.each(cases)('%s with %s answers 401 JSON with WWW-Authenticate, and changes nothing', async (_what, _who, serve, headers, send) => {
    const server = servers[serve];
    const before = await listUsers(baseUrl);
    const { subscribers } = await health(server.baseUrl);

    const response = await send(server.baseUrl, await headers(server.databaseFile));

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="roster"');
    expect(await response.json()).toEqual({ error: 'Sign in, or send Authorization: Bearer <API_TOKEN>' });
    expect(await listUsers(baseUrl)).toEqual(before);
    expect(before.some((user) => user.id === victim.id)).toBe(true);
    expect((await health(server.baseUrl)).subscribers).toBe(subscribers);
  });

  it('sends anonymous visitors of / to /login (307), and those with a made-up cookie too', async () => {
    for (const headers of [{}, { Cookie: madeUpCookie() }] as Record<string, string>[]) {
      const response = await fetch(`${baseUrl}/`, { headers, redirect: 'manual' });
      expect(response.status).toBe(307);
      expect(new URL(response.headers.get('location') ?? '', baseUrl).pathname).toBe('/login');
      expect(await response.text()).not.toContain('Add a user');
    }
  });

  it('lets a signed-in browser see / and call the API and the stream with its cookie', async () => {
    const cookie = await signIn(baseUrl);
    const page = await fetch(`${baseUrl}/`, { headers: { Cookie: cookie }, redirect: 'manual' });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('aria-label="Add a user"');

    const user = await createUser(baseUrl, 'Created With A Cookie', uniqueEmail('cookie'), { auth: { cookie } });
    expect(await listUsers(baseUrl, { auth: { cookie } })).toContainEqual(user);
    const stream = await SseClient.connect(`${baseUrl}/events`, {}, { cookie });
    try {
      expect((await stream.next()).event).toBe('connected');
    } finally {
      stream.close();
    }
  });

  it('keeps /api/health open to monitoring, and /api/metrics to METRICS_TOKEN and admins', async () => {
    const healthResponse = await fetch(`${baseUrl}/api/health`);
    expect(healthResponse.status).toBe(200);
    expect(await healthResponse.json()).toMatchObject({ status: 'ok' });

    const scrape = async (headers: Record<string, string>) => {
      const response = await fetch(`${baseUrl}/api/metrics`, { headers });
      return { status: response.status, body: await response.text() };
    };
    expect(await scrape({})).toMatchObject({ status: 401 });
    expect(await scrape({ Authorization: 'Bearer not-the-metrics-token-at-all' })).toMatchObject({ status: 401 });
    // METRICS_TOKEN opens the metrics and nothing else.
    expect(await scrape({ Authorization: `Bearer ${METRICS_TOKEN}` })).toMatchObject({ status: 200, body: expect.stringContaining('roster_sse_subscribers') });
    expect((await fetch(`${baseUrl}/api/users`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(401);
    // So does an admin (API_TOKEN is one; roles.test.ts refuses the other roles), and a signed-in admin.
    expect(await scrape(authHeaders())).toMatchObject({ status: 200, body: expect.stringContaining('nodejs_eventloop_lag_p99_seconds') });
    expect(await scrape({ Cookie: await signIn(baseUrl) })).toMatchObject({ status: 200 });
  });
});

describe('sign-in and sign-out', () => {
  it('answers a wrong password with an error on the form and sets no cookie', async () => {
    const response = await submitSignIn(baseUrl, 'not-the-admin-password');

    expect(response.status).toBe(200);
    expect(sessionCookieOf(response)).toBeUndefined();
    const form = findForm(await response.text(), (f) => f.includes('name="password"'));
    expect(form).toMatch(/<p id="sign-in-error"[^>]*>That email and password do not match an account that can sign in.<\/p>/);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie that expires, and sends the browser to /', async () => {
    const before = Date.now();
    const response = await submitSignIn(baseUrl, ADMIN_PASSWORD);

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    const attributes = header.split(/;\s*/).slice(1);
    expect(attributes.map((a) => a.toLowerCase())).toEqual(expect.arrayContaining(['httponly', 'samesite=lax', 'path=/']));
    expect(attributes.map((a) => a.toLowerCase())).not.toContain('secure');
    // SESSION_TTL_SECONDS is 8 h by default; the cookie ends with the session.
    const expires = Date.parse(attributes.find((a) => /^expires=/i.test(a))?.slice('expires='.length) ?? '');
    expect(expires).toBeGreaterThanOrEqual(before + 8 * 3600_000 - 2_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 8 * 3600_000 + 1_000);
    expect(sessionCookieOf(response)?.length).toBeGreaterThan(`${SESSION_COOKIE}=`.length + 20);
  });

  it('marks the cookie Secure when the request came over HTTPS (X-Forwarded-Proto: https)', async () => {
    const response = await submitSignIn(baseUrl, ADMIN_PASSWORD, { 'X-Forwarded-Proto': 'https' });

    expect(response.status).toBe(303);
    const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(header.split(/;\s*/).map((a) => a.toLowerCase())).toContain('secure');
  });

  it('signs out: the cookie is cleared and / sends the browser to /login again', async () => {
    const cookie = await signIn(baseUrl);
    const page = await (await fetch(`${baseUrl}/`, { headers: { Cookie: cookie } })).text();
    const signOutForm = findForm(page, (f) => />Sign out<\/button>/.test(f));

    const response = await submitForm(`${baseUrl}/`, signOutForm, {}, { headers: { Cookie: cookie }, redirect: 'manual' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login');
    const header = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? '';
    expect(sessionCookieOf(response)).toBe(`${SESSION_COOKIE}=`);
    const expires = Date.parse(/expires=([^;]+)/i.exec(header)?.[1] ?? '');
    const maxAge = /max-age=(\d+)/i.exec(header)?.[1];
    expect(expires < Date.now() || maxAge === '0', header).toBe(true);
    // What the browser sends from then on: the emptied cookie.
    const after = await fetch(`${baseUrl}/`, { headers: { Cookie: `${SESSION_COOKIE}=` }, redirect: 'manual' });
    expect(after.status).toBe(307);
  });
});

describe('a stream opened with a session', () => {
  const clients: SseClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  it.each(SERVES)('ends with an expired event when the session ends, and the server lets go of it (%s)', async (serve) => {
    const { baseUrl: base, databaseFile: file } = servers[serve];
    const start = (await health(base)).subscribers;
    const exp = Date.now() + 2_500;
    const cookie = plantSession(file, { expiresAt: new Date(exp) });
    const client = await SseClient.connect(`${base}/events`, {}, { cookie });
    clients.push(client);
    expect((await client.next()).event).toBe('connected');
    expect((await health(base)).subscribers).toBe(start + 1);

    const expired = await client.next(4_000);
    const endedAt = Date.now();

    expect(expired.event).toBe('expired');
    await expect(client.next(1_000)).rejects.toThrow('The event stream ended');
    expect(endedAt).toBeGreaterThanOrEqual(exp - 50);
    expect(endedAt).toBeLessThan(exp + 1_000);
    const after = await eventually(() => health(base), (h) => h.subscribers === start);
    expect(after.subscribers).toBe(start);
  });

});
