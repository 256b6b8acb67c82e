// The holes an outside attack found (issue 19), one describe per row of its table, each written
// as the attack was made: cross-site writes to the REST API, an open redirect through the edit
// page, one principal holding every stream slot, X-Forwarded-For written by the client, requests
// that made the server answer 500, and names that look like other names.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, fetchUser, health, listUsers, patchUser, postUser, uniqueEmail } from '../support/api';
import { findForm, hiddenFields, submitForm } from '../support/html';
import { twoInstances } from '../support/instances';
import { logEntries, readLog, SERVES, startServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const EVIL = 'https://evil.example';
const up = await servicesUp('postgres', 'redis');

/** The answer carries what every answer does: the security headers and a request id. */
function expectEdgeHeaders(response: Response) {
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
}

describe.each(SERVES)('1. cross-site writes to the REST API (%s)', (serve) => {
  const { baseUrl, logFile } = inject('servers')[serve];
  const origin = new URL(baseUrl).origin;
  /** Same host, another port: the same site to SameSite=Lax, which sends the cookie along. */
  const sibling = `http://127.0.0.1:${Number(new URL(baseUrl).port) + 1}`;
  let cookie: string;

  beforeAll(async () => {
    cookie = await signIn(baseUrl);
  });

  const post = (body: string, headers: Record<string, string>) => fetch(`${baseUrl}/api/users`, { method: 'POST', body, headers: { Cookie: cookie, ...headers } });

  async function expectNothingCreated(email: string) {
    expect((await listUsers(baseUrl, undefined, { q: email })).map((user) => user.email)).toEqual([]);
  }

  it.each<{ sent: string; headers: Record<string, string>; status: number }>([
    // The curl of the report: another Origin, text/plain (a form's enctype=text/plain sends this).
    { sent: 'another Origin, text/plain', headers: { Origin: EVIL, 'Content-Type': 'text/plain' }, status: 403 },
    // What a no-cors fetch from a page on another port sends.
    { sent: 'a no-cors fetch from another port of this host', headers: { Origin: sibling, 'Content-Type': 'text/plain;charset=UTF-8', 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' }, status: 403 },
    { sent: 'no Origin, but Sec-Fetch-Site: cross-site', headers: { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/json' }, status: 403 },
    { sent: 'an opaque Origin (null), JSON', headers: { Origin: 'null', 'Content-Type': 'application/json' }, status: 403 },
    { sent: 'another Origin, even as JSON', headers: { Origin: EVIL, 'Content-Type': 'application/json' }, status: 403 },
    { sent: 'this origin, but text/plain', headers: { Origin: origin, 'Content-Type': 'text/plain' }, status: 415 },
    { sent: 'this origin, but a form encoding', headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' }, status: 415 },
  ])('refuses a cookie-authenticated create with $sent ($status), and creates nothing', async ({ headers, status }) => {
    const email = uniqueEmail('csrf');
    const response = await post(JSON.stringify({ name: 'Forged', email }), headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await response.json()) as { error: string }).error).toMatch(status === 403 ? /^Cross-site request refused$/ : /application\/json/);
    await expectNothingCreated(email);
  });

  it('logs each refused cross-site write with who it rode on and where it came from', async () => {
    const response = await post(JSON.stringify({ name: 'Logged', email: uniqueEmail('csrf-log') }), { Origin: EVIL, 'Content-Type': 'text/plain' });
    const requestId = response.headers.get('x-request-id');
    const line = await eventually(
      async () => logEntries(await readLog(logFile)).find((entry) => entry.msg === 'cross-site write refused' && entry.origin === EVIL && entry.requestId === requestId),
      (entry) => entry !== undefined,
    );
    expect(line).toMatchObject({ method: 'POST', path: '/api/users', principal: expect.stringMatching(/^user:\d+$/) });
  });

  it('refuses cross-site edits and deletes riding on the cookie, and changes nothing', async () => {
    const user = await createUser(baseUrl, 'Target Of Forgery', uniqueEmail('csrf-target'));
    const edit = await patchUser(baseUrl, user.id, { name: 'Forged Edit' }, user.version, { auth: { cookie }, headers: { Origin: EVIL } });
    const remove = await deleteUser(baseUrl, user.id, { auth: { cookie }, headers: { Origin: sibling, 'Sec-Fetch-Site': 'same-site' } });
    expect([edit.status, remove.status]).toEqual([403, 403]);
    expect(await (await fetchUser(baseUrl, user.id)).json()).toEqual(user);
  });

  it('still creates, edits and deletes from its own pages (same Origin, JSON), and with no browser headers at all', async () => {
    const email = uniqueEmail('same-origin');
    const created = await post(JSON.stringify({ name: 'Same Origin', email }), { Origin: origin, 'Sec-Fetch-Site': 'same-origin', 'Content-Type': 'application/json' });
    expect(created.status).toBe(201);
    const user = (await created.json()) as UserDTO;
    const edited = await patchUser(baseUrl, user.id, { name: 'Same Origin Edited' }, user.version, { auth: { cookie }, headers: { Origin: origin } });
    expect(edited.status).toBe(200);
    // curl with a copied cookie: no browser sent it, so no other site could have.
    expect((await deleteUser(baseUrl, user.id, { auth: { cookie } })).status).toBe(204);
  });

  it('leaves bearer tokens alone: a token create from any Origin is 201', async () => {
    const response = await postUser(baseUrl, { name: 'Token From Anywhere', email: uniqueEmail('token-origin') }, { headers: { Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' } });
    expect(response.status).toBe(201);
  });
});

describe('2. the edit page\'s return path', () => {
  const baseUrl = inject('baseUrl');
  let cookie: string;
  let user: UserDTO;

  beforeAll(async () => {
    cookie = await signIn(baseUrl);
    user = await createUser(baseUrl, 'Redirect Target', uniqueEmail('redirect'));
  });

  const CASES = ['/.//evil.example', '/..//evil.example', '/%2e%2e//evil.example', '/./\\evil.example', '/a/..//evil.example', '//evil.example', '/\t/evil.example'];

  it.each(CASES)('never links or sends the browser off the site for return=%j', async (target) => {
    const page = `/users/${user.id}/edit?return=${encodeURIComponent(target)}`;
    const html = await (await fetch(`${baseUrl}${page}`, { headers: { Cookie: cookie } })).text();
    const form = findForm(html, (f) => f.includes('name="return"'));
    const returnField = hiddenFields(form).find(([name]) => name === 'return')?.[1];
    const cancel = /<a [^>]*href="([^"]*)"[^>]*>Cancel<\/a>/.exec(html)?.[1];
    expect(returnField).toBe('/');
    expect(cancel).toBe('/');

    const current = (await (await fetchUser(baseUrl, user.id)).json()) as UserDTO;
    const forged = form.replace('name="return" value="/"', `name="return" value="${target.replace(/"/g, '&quot;')}"`).replace(/name="version" value="\d+"/, `name="version" value="${current.version}"`);
    const response = await submitForm(`${baseUrl}${page}`, forged, { name: 'Redirect Target', email: user.email }, { headers: { Cookie: cookie }, redirect: 'manual' });
    const location = response.headers.get('location');
    if (location !== null) expect(new URL(location, baseUrl).origin, `Location: ${location}`).toBe(new URL(baseUrl).origin);
    expect(location ?? '/').not.toMatch(/^(\/\/|\/\\)/);
  });

  it('still returns to the view the edit page came from', async () => {
    const back = '/?q=redirect&sort=name';
    const html = await (await fetch(`${baseUrl}/users/${user.id}/edit?return=${encodeURIComponent(back)}`, { headers: { Cookie: cookie } })).text();
    expect(hiddenFields(findForm(html, (f) => f.includes('name="return"'))).find(([name]) => name === 'return')?.[1]).toBe(back);
  });
});

describe('3. open streams per principal', () => {
  const clients: SseClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  async function open(baseUrl: string, bearer: string): Promise<SseClient> {
    const client = await SseClient.connect(`${baseUrl}/events`, {}, { bearer });
    clients.push(client);
    expect((await client.next()).event).toBe('connected');
    return client;
  }

  /** The status a new stream gets; one that opens is closed again at once. */
  async function streamStatus(baseUrl: string, bearer: string): Promise<number> {
    const response = await fetch(`${baseUrl}/events`, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'text/event-stream' } });
    await response.body?.cancel();
    return response.status;
  }

  async function expectCapped(baseUrl: string, bearer: string, max: number) {
    const response = await fetch(`${baseUrl}/events`, { headers: { Authorization: `Bearer ${bearer}`, Accept: 'text/event-stream' } });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await response.json()) as { error: string }).error).toBe(`Too many open streams (${max}) for one sign-in or token; close one, or poll /api/users`);
  }

  // ghost: a token of its own for the instance that dies, so the slots the test before gives back
  // (as each instance hears its streams close, a moment after the client does) are not counted.
  const TOKENS = { hog: 'hog-token-0123456789abcdef', other: 'other-token-0123456789abcdef', ghost: 'ghost-token-0123456789abcdef' };
  const API_TOKENS = Object.entries(TOKENS).map(([name, token]) => `${name}:${token}`).join(',');

  describe.each(SERVES)('on one instance (%s)', (serve) => {
    let server: TestServer;
    beforeAll(async () => {
      // MAX_SSE_CONNECTIONS=300: the default cap is a tenth of it, 30.
      server = await startServer({ serve, env: { MAX_SSE_CONNECTIONS: '300', API_TOKENS } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('caps a token at a tenth of MAX_SSE_CONNECTIONS by default: 429 with Retry-After; its open streams go on, others still get in', async () => {
      const held = await Promise.all(Array.from({ length: 30 }, () => open(server.url, TOKENS.hog)));
      await expectCapped(server.url, TOKENS.hog, 30);
      const other = await open(server.url, TOKENS.other);

      const user = await createUser(server.url, 'Still Live');
      for (const client of [held[0], held[29], other]) {
        const message = await client!.next();
        expect([message.event, (JSON.parse(message.data) as UserDTO).id]).toEqual(['user_created', user.id]);
      }

      // A slot comes back when a stream ends.
      held[0]!.close();
      await eventually(() => health(server.url), (h) => h.subscribers === 30);
      await open(server.url, TOKENS.hog);
    });
  });

  describe.skipIf(!up)('across two instances sharing Redis', () => {
    const two = twoInstances('stream_cap');
    beforeAll(async () => {
      await Promise.all([two.a.stop(), two.b.stop()]);
      const env = { MAX_SSE_CONNECTIONS_PER_PRINCIPAL: '3', API_TOKENS };
      [two.a, two.b] = [await two.instance(env), await two.instance(env)];
    });

    it('counts a principal\'s streams on every instance together', async () => {
      await open(two.a.url, TOKENS.hog);
      await open(two.a.url, TOKENS.hog);
      await open(two.b.url, TOKENS.hog);
      await expectCapped(two.a.url, TOKENS.hog, 3);
      await expectCapped(two.b.url, TOKENS.hog, 3);
      await open(two.b.url, TOKENS.other);

      clients[0]!.close(); // one of A's
      expect(await eventually(() => streamStatus(two.b.url, TOKENS.hog), (status) => status === 200)).toBe(200);
    });

    it('forgets the slots of an instance that died without giving them back', async () => {
      for (let i = 0; i < 3; i++) await open(two.a.url, TOKENS.ghost);
      await expectCapped(two.b.url, TOKENS.ghost, 3);
      two.a.child.kill('SIGKILL');
      for (const client of clients.splice(0)) client.close();
      // Its key in Redis lapses within 30 s; its streams then no longer count.
      expect(await eventually(() => streamStatus(two.b.url, TOKENS.ghost), (status) => status === 200, 40_000)).toBe(200);
    }, 60_000);
  });
});

describe('4. what is counted per address', () => {
  const anonymous = (baseUrl: string, i: number) => fetch(`${baseUrl}/api/users`, { headers: { 'X-Forwarded-For': `198.51.100.${i % 250}, 203.0.113.${i % 250}` } });

  describe('npm start with no proxy in front (TRUSTED_PROXY_HOPS=0)', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startServer({ env: { TRUSTED_PROXY_HOPS: '0' } });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('counts the socket\'s address, whatever X-Forwarded-For says: 429 after 60 refused requests', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 70; i++) statuses.push((await anonymous(server.url, i)).status);
      expect(statuses.slice(0, 60)).toEqual(Array(60).fill(401));
      expect(statuses.slice(60)).toEqual(Array(10).fill(429));
    });
  });

  describe('behind one proxy (TRUSTED_PROXY_HOPS=1)', () => {
    const baseUrl = inject('baseUrl');
    it('takes the address the proxy appended, one each', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 70; i++) statuses.push((await anonymous(baseUrl, 1000 + i)).status);
      expect(statuses).toEqual(Array(70).fill(401));
    });
  });
});

describe('5. requests that answered 500', () => {
  let server: TestServer;
  let cookie: string;
  let stderr = '';

  beforeAll(async () => {
    server = await startServer();
    server.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    cookie = await signIn(server.url);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** The id of the create form's action (what a fetch sends as Next-Action), from the dashboard's no-JavaScript form. */
  async function createActionId(): Promise<{ id: string; form: string }> {
    const html = await (await fetch(`${server.url}/`, { headers: { Cookie: cookie } })).text();
    const form = findForm(html, (f) => f.includes('aria-label="Add a user"'));
    const reference = hiddenFields(form).find(([name]) => /^\$ACTION_\d+:0$/.test(name))?.[1];
    return { id: (JSON.parse(reference ?? '{}') as { id: string }).id, form };
  }

  async function expectRefused(response: Response, status: number) {
    expect(response.status).toBe(status);
    expectEdgeHeaders(response);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const requestId = response.headers.get('x-request-id');
    const line = await eventually(async () => logEntries(await readLog(server.logFile)).find((entry) => entry.requestId === requestId), (entry) => entry !== undefined);
    expect(line?.level).toBe(40);
  }

  const multipart = (fields: Record<string, string>) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(fields)) body.append(name, value);
    return body;
  };

  it('answers 400 to a fetch action whose body is not a form: text/plain, or a form without one', async () => {
    const { id } = await createActionId();
    const email = uniqueEmail('malformed');
    const headers = { Cookie: cookie, 'Next-Action': id, Origin: server.url };
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers: { ...headers, 'Content-Type': 'text/plain;charset=UTF-8' }, body: JSON.stringify([{}, { name: 'x', email }]) }), 400);
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers, body: multipart({ 0: JSON.stringify([{}, { name: 'x', email }]) }) }), 400);
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers, body: multipart({ 0: '[{' }) }), 400);
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers, body: multipart({ 0: JSON.stringify([{}, '$Q1', '$K1']) }) }), 400);
    // The form where the action does not read it (it reads its second argument): it would get undefined.
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers, body: multipart({ 0: JSON.stringify(['$K1']), '_1_name': 'x', '_1_email': email }) }), 400);
    expect(await listUsers(server.url, undefined, { q: email })).toEqual([]);
  });

  it('answers 400 to sign-in posted as [{},null], and to a no-JavaScript form whose bound state was tampered with', async () => {
    const login = await (await fetch(`${server.url}/login`)).text();
    const form = findForm(login, (f) => f.includes('name="password"'));
    const fields = Object.fromEntries(hiddenFields(form));
    const refName = Object.keys(fields).find((name) => /^\$ACTION_\d+:0$/.test(name)) ?? '';
    const { id } = JSON.parse(fields[refName] ?? '{}') as { id: string };
    await expectRefused(await fetch(`${server.url}/login`, { method: 'POST', headers: { 'Next-Action': id, 'Content-Type': 'text/plain;charset=UTF-8' }, body: '[{},null]' }), 400);
    const boundName = refName.replace(':0', ':1');
    await expectRefused(await fetch(`${server.url}/login`, { method: 'POST', body: multipart({ ...fields, [boundName]: JSON.stringify([{}, { name: 'x' }]), password: 'x' }) }), 400);
    await expectRefused(await fetch(`${server.url}/login`, { method: 'POST', body: multipart({ ...fields, [boundName]: '{', password: 'x' }) }), 400);
  });

  it('answers 413 to an action body over 1 MB, declared or chunked', async () => {
    const { id } = await createActionId();
    const big = 'x'.repeat(1024 * 1024 + 1);
    const headers = { Cookie: cookie, 'Next-Action': id };
    await expectRefused(await fetch(`${server.url}/`, { method: 'POST', headers, body: multipart({ 0: big }) }), 413);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        const body = new TextEncoder().encode(`--b\r\nContent-Disposition: form-data; name="0"\r\n\r\n${big}\r\n--b--\r\n`);
        for (let at = 0; at < body.length; at += 64 * 1024) controller.enqueue(body.slice(at, at + 64 * 1024));
        controller.close();
      },
    });
    const response = await fetch(`${server.url}/`, { method: 'POST', headers: { ...headers, 'Content-Type': 'multipart/form-data; boundary=b' }, body: chunked, duplex: 'half' } as RequestInit);
    await expectRefused(response, 413);
  });

  it.each([
    ['PUT', '/api/users', 'GET, HEAD, OPTIONS, POST'],
    ['POST', '/api/users/1', 'DELETE, GET, HEAD, OPTIONS, PATCH'],
    ['DELETE', '/api/activity', 'GET, HEAD, OPTIONS'],
    ['PATCH', '/', 'GET, HEAD, OPTIONS, POST'],
  ])('answers %s %s with 405 and Allow: %s', async (method, target, allow) => {
    const response = await fetch(`${server.url}${target}`, { method, headers: { Cookie: cookie } });
    await expectRefused(response, 405);
    expect(response.headers.get('allow')).toBe(allow);
  });

  it.each([
    ['/api/users', 'GET, HEAD, OPTIONS, POST'],
    ['/', 'GET, HEAD, OPTIONS, POST'],
  ])('answers TRACE %s with 405 and Allow: %s (fetch will not send TRACE; a raw request does)', async (target, allow) => {
    const raw = await rawRequest(server.url, `TRACE ${target} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(raw.status).toBe(405);
    expect(raw.headers.allow).toBe(allow);
    expect(raw.headers['x-frame-options']).toBe('DENY');
    expect(raw.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 400 to a malformed percent-encoding in the path, on pages and the API', async () => {
    await expectRefused(await fetch(`${server.url}/users/%E0%A4%A/edit`, { headers: { Cookie: cookie } }), 400);
    await expectRefused(await fetch(`${server.url}/api/users/%E0%A4%A`, { headers: { Cookie: cookie } }), 400);
  });

  it('answers what Node\'s parser refuses (an unknown method) with 400, and CONNECT with 405, with the headers', async () => {
    const unknown = await rawRequest(server.url, 'FOO /api/users HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(unknown.status).toBe(400);
    expect(unknown.headers['x-content-type-options']).toBe('nosniff');
    const connect = await rawRequest(server.url, 'CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
    expect(connect.status).toBe(405);
    expect(connect.headers['x-frame-options']).toBe('DENY');
  });

  it('wrote no stack to stderr for any of them', () => {
    expect(stderr).toBe('');
  });

  it('holds the Allow table (lib/server/allowed-methods.ts) to what every route exports', async () => {
    const routes = routeFiles(path.join(process.cwd(), 'app'));
    expect(routes.length).toBeGreaterThanOrEqual(7);
    for (const { url, methods } of routes) {
      const options = await fetch(`${server.url}${url}`, { method: 'OPTIONS', headers: { Cookie: cookie } });
      expect(options.status, url).toBe(204);
      expect(options.headers.get('allow'), url).toBe(methods);
      const unexported = ['PUT', 'PATCH', 'DELETE', 'POST'].find((method) => !methods.split(', ').includes(method)) ?? 'PUT';
      const refused = await fetch(`${server.url}${url}`, { method: unexported, headers: { Cookie: cookie } });
      expect(refused.status, `${unexported} ${url}`).toBe(405);
      expect(refused.headers.get('allow'), url).toBe(methods);
    }
  });
});

/** Every route handler under app/: a URL for it (dynamic segments as 1) and the methods it exports, as Allow would list them. */
function routeFiles(dir: string, prefix = ''): { url: string; methods: string }[] {
  const found: { url: string; methods: string }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...routeFiles(full, `${prefix}/${entry.name.replace(/^\[.*\]$/, '1')}`));
    else if (entry.name === 'route.ts') {
      const exported = [...readFileSync(full, 'utf8').matchAll(/export (?:async )?function (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1] ?? '');
      const methods = [...exported, ...(exported.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort().join(', ');
      found.push({ url: prefix || '/', methods });
    }
  }
  return found;
}

/** Sends raw bytes and reads the status line and headers of the answer. */
async function rawRequest(baseUrl: string, text: string): Promise<{ status: number; headers: Record<string, string> }> {
  const { Socket } = await import('node:net');
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = ''] = received.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers });
    });
    socket.connect(Number(port), hostname, () => socket.end(text));
  });
}

describe('6. names that look like other names', () => {
  const baseUrl = inject('baseUrl');

  it.each([
    ['a right-to-left override', '\u202eRTL override', 'Name must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)'],
    ['a first-strong isolate', 'Ada \u2068Lovelace\u2069', 'Name must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)'],
    ['a zero-width space alone', '\u200b', 'Name must not contain zero-width characters (U+200B–U+200D, U+2060, U+FEFF), except a joiner inside an emoji or a word of a script that uses one'],
    ['a zero-width joiner', 'Ada\u200dLovelace', 'Name must not contain zero-width characters (U+200B–U+200D, U+2060, U+FEFF), except a joiner inside an emoji or a word of a script that uses one'],
  ])('refuses a name with %s: 400 naming the field and why, nothing created', async (_case, name, message) => {
    const email = uniqueEmail('lookalike');
    const response = await postUser(baseUrl, { name, email });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'Invalid input', fieldErrors: { name: [message] } });
    expect(await listUsers(baseUrl, undefined, { q: email })).toEqual([]);
  });

  it('refuses the same in an edit, and in the dashboard\'s form with the message next to the field', async () => {
    const user = await createUser(baseUrl, 'Plain Name', uniqueEmail('lookalike-edit'));
    const edit = await patchUser(baseUrl, user.id, { name: 'Plain\u200bName' }, user.version);
    expect(edit.status).toBe(400);

    const cookie = await signIn(baseUrl);
    const html = await (await fetch(`${baseUrl}/`, { headers: { Cookie: cookie } })).text();
    const form = findForm(html, (f) => f.includes('aria-label="Add a user"'));
    const response = await submitForm(`${baseUrl}/`, form, { name: '\u202eevil', email: uniqueEmail('lookalike-form') }, { headers: { Cookie: cookie } });
    expect(await response.text()).toContain('Name must not contain bidirectional control characters');
  });
});
