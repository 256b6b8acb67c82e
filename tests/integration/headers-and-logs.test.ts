// What every response carries (security headers, a request id) and what the shared server writes
// to stdout: JSON lines tied to requests by that id, and never a secret.
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { authHeaders, createUser, eventually, listUsers, postUser, uniqueEmail } from '../support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, API_TOKEN, SESSION_SECRET } from '../support/secrets';
import { logEntries, readLog, SERVES } from '../support/server';
import { signIn, submitSignIn } from '../support/session';
import { SseClient } from '../support/sse';

const baseUrl = inject('baseUrl');
const logFile = inject('logFile');
const servers = inject('servers');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let cookie: string;
const clients: SseClient[] = [];

beforeAll(async () => {
  cookie = await signIn(baseUrl);
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** The Content-Security-Policy as directive → sources. */
function policy(response: Response): Map<string, string[]> {
  const header = response.headers.get('content-security-policy') ?? '';
  return new Map(
    header
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

function expectCommonHeaders(response: Response) {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('x-request-id')).toMatch(UUID);
}

describe('response headers', () => {
  it('gives the dashboard a nonce CSP whose nonce is on every script of the page', async () => {
    const response = await fetch(`${baseUrl}/`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    expectCommonHeaders(response);

    const csp = policy(response);
    const scriptSrc = csp.get('script-src') ?? [];
    const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(scriptSrc.find((source) => source.startsWith("'nonce-")) ?? '')?.[1];
    expect(nonce).toBeDefined();
    expect(scriptSrc).toEqual(expect.arrayContaining(["'self'", "'strict-dynamic'"]));
    expect(scriptSrc).not.toContain("'unsafe-inline'");
    expect(scriptSrc).not.toContain("'unsafe-eval'");
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);

    const scripts = (await response.text()).match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
  });

  it('uses a fresh nonce for every page view', async () => {
    const nonces = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${baseUrl}/login`);
      await response.arrayBuffer();
      nonces.add((policy(response).get('script-src') ?? []).find((source) => source.startsWith("'nonce-")) ?? '');
    }
    expect(nonces.size).toBe(3);
    expect(nonces.has('')).toBe(false);
  });

  it.each(SERVES)("gives the API, its errors and the stream default-src 'none' (%s)", async (serve) => {
    const { baseUrl: base } = servers[serve];
    const responses = [
      await fetch(`${base}/api/users`, { headers: authHeaders() }),
      await fetch(`${base}/api/users`),
    ];
    const stream = await SseClient.connect(`${base}/events`);
    clients.push(stream);
    expect(responses.map((response) => response.status)).toEqual([200, 401]);
    for (const response of [...responses, stream.response]) {
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expectCommonHeaders(response);
    }
  });

  it('gives every response its own request id', async () => {
    const ids = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const response = await fetch(`${baseUrl}/api/health`);
        await response.arrayBuffer();
        return response.headers.get('x-request-id');
      }),
    );
    for (const id of ids) expect(id).toMatch(UUID);
    expect(new Set(ids).size).toBe(5);
  });
});

describe('logs (JSON lines on stdout)', () => {
  /** The log entries for one request id, once `accept` holds for them (or after 5 s). */
  const entriesFor = (requestId: string, file: string, accept: (entries: Record<string, unknown>[]) => boolean) =>
    eventually(async () => logEntries(await readLog(file)).filter((entry) => entry.requestId === requestId), accept);

  it('logs each request with the id sent back in X-Request-Id', async () => {
    const response = await fetch(`${baseUrl}/api/users`, { headers: authHeaders() });
    await response.arrayBuffer();
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);

    const entries = await entriesFor(requestId, logFile, (found) => found.length > 0);

    expect(entries).toEqual([expect.objectContaining({ msg: 'request', method: 'GET', path: '/api/users', level: 30 })]);
    expect(entries[0]?.time).toEqual(expect.any(Number));
  });

  it.each(SERVES)('logs a stream opened and closed under one request id, with how and why (%s)', async (serve) => {
    const { baseUrl: base, logFile: log } = servers[serve];
    const stream = await SseClient.connect(`${base}/events`);
    clients.push(stream);
    expect((await stream.next()).event).toBe('connected');
    const requestId = stream.response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);
    const opened = await entriesFor(requestId, log, (found) => found.some((entry) => entry.msg === 'stream opened'));
    expect(opened.find((entry) => entry.msg === 'stream opened')).toMatchObject({ via: 'token', principal: 'token:API_TOKEN' });
    expect(opened.some((entry) => entry.msg === 'stream closed')).toBe(false);

    stream.close();

    const closed = await entriesFor(requestId, log, (found) => found.some((entry) => entry.msg === 'stream closed'));
    // The edge's "request" line (proxy.ts, or server.ts's adapter) and the route's "stream opened" line reached the log in either order in CI;
    // "stream closed" comes after both.
    expect(closed.map((entry) => entry.msg).sort()).toEqual(['request', 'stream closed', 'stream opened']);
    expect(closed.at(-1)).toMatchObject({ msg: 'stream closed', reason: 'client', principal: 'token:API_TOKEN' });
  });

  it('logs every write with who made it: the token\'s name, or the signed-in person\'s id', async () => {
    const cookie = await signIn(baseUrl);
    const byToken = await postUser(baseUrl, { name: 'Logged By Token', email: uniqueEmail() });
    const user = (await byToken.json()) as { id: number };
    const bySession = await fetch(`${baseUrl}/api/users/${user.id}`, { method: 'DELETE', headers: { Cookie: cookie } });
    expect(bySession.status).toBe(204);

    const lineOf = async (response: Response, msg: string) =>
      (await entriesFor(response.headers.get('x-request-id') ?? '', logFile, (found) => found.some((entry) => entry.msg === msg))).find((entry) => entry.msg === msg);

    expect(await lineOf(byToken, 'user created')).toMatchObject({ principal: 'token:API_TOKEN', userId: user.id });
    const deletedLine = await lineOf(bySession, 'user deleted');
    const [admin] = await listUsers(baseUrl, undefined, { q: ADMIN_EMAIL });
    expect(deletedLine).toMatchObject({ principal: `user:${admin?.id}`, userId: user.id });
    // Nothing of the cookie's token reaches the line.
    expect(JSON.stringify(deletedLine)).not.toContain((cookie.split('=')[1] ?? '').slice(0, 8));
  });

  it('never contains the API token, the admin password, the session secret or a guessed password', async () => {
    const guess = `guessed-password-${uniqueEmail()}`;
    // Failed and successful sign-ins, and calls with the token, a wrong token and a cookie.
    const failed = await submitSignIn(baseUrl, guess);
    expect(await failed.text()).toContain('That email and password do not match');
    const signedIn = await signIn(baseUrl);
    await createUser(baseUrl, 'Logged Safely');
    await listUsers(baseUrl, { auth: { cookie: signedIn } });
    const wrongToken = await postUser(baseUrl, { name: 'Nope', email: uniqueEmail() }, { auth: { bearer: `${API_TOKEN}-wrong` } });
    expect(wrongToken.status).toBe(401);
    const requestId = wrongToken.headers.get('x-request-id') ?? '';
    // Wait until the last of these requests has been logged.
    await entriesFor(requestId, logFile, (found) => found.length > 0);

    const log = await readLog(logFile);
    expect(logEntries(log).some((entry) => entry.msg === 'sign-in failed')).toBe(true);
    expect(logEntries(log).some((entry) => entry.msg === 'signed in')).toBe(true);
    for (const secret of [API_TOKEN, ADMIN_PASSWORD, SESSION_SECRET, guess, signedIn.split('=')[1] ?? signedIn]) {
      expect(log.includes(secret), `the log contains ${secret}`).toBe(false);
    }
  });
});
