// Hostile requests against a server and database of its own: malformed and oversized bodies,
// ids that only look like numbers, markup in names, a race for one email, a database that fails
// mid-request, and a form posted from another site. Each must be refused cleanly: the right status,
// a JSON error that gives nothing away, and nothing changed.
import { request as httpRequest } from 'node:http';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, health, listUsers, postUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { API_TOKEN } from '../support/secrets';
import { type TestServer, startServer } from '../support/server';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const MAX_BODY_BYTES = 10 * 1024;

let server: TestServer;
let cookie: string;
/** Users 1 (the first admin, made at start-up) to 16: the ids that `1.5`, `0x10` and `1e1` would name if they were read loosely. */
let seeded: UserDTO[];
const clients: SseClient[] = [];

beforeAll(async () => {
  server = await startServer();
  cookie = await signIn(server.url);
  seeded = await listUsers(server.url);
  for (let i = 2; i <= 16; i++) seeded.push(await createUser(server.url, `Seeded ${i}`));
  expect(seeded.map((user) => user.id)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
});

afterAll(async () => {
  await server?.stop();
});

afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

type ErrorBody = { error: string; fieldErrors?: Record<string, string[]> };

/** Fails if an error body gives away internals: stack frames, the ORM, SQL or file paths. */
function expectNothingLeaked(text: string) {
  expect(text).not.toMatch(/\bat \S+ \(|\n\s+at \S/);
  expect(text).not.toMatch(/prisma/i);
  expect(text).not.toMatch(/\b(SELECT|INSERT|UPDATE|DELETE FROM)\b/i);
  expect(text).not.toMatch(/(\/[\w.-]+){2,}\.(?:[cm]?js|tsx?)\b|node_modules|\/work\/|\/home\//);
}

/** Reads a refusal: a JSON error body (checked for leaks), with a string `error`. */
async function errorBody(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const text = await response.text();
  expectNothingLeaked(text);
  const body = JSON.parse(text) as ErrorBody;
  expect(body.error).toEqual(expect.any(String));
  return body;
}

/** POSTs a raw body with node:http (chunked when no length is given) and returns status and body. */
function rawPost(path: string, chunks: string[], headers: Record<string, string>): Promise<{ status: number; text: string; contentType: string }> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const request = httpRequest({ hostname, port, path, method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text, contentType: String(response.headers['content-type']) }));
      response.on('error', reject);
    });
    // The server may answer before it has read everything; what it did not read does not matter.
    request.on('error', reject);
    for (const chunk of chunks) request.write(chunk);
    request.end();
  });
}

const userBodyOfSize = (bytes: number) => {
  const email = uniqueEmail('big');
  const skeleton = JSON.stringify({ name: '', email });
  return JSON.stringify({ name: 'x'.repeat(bytes - skeleton.length), email });
};

describe('POST /api/users with a hostile body', () => {
  /** A well-formed address of `length` characters (local part and labels at their own maximums). */
  const emailOfLength = (length: number) => {
    const prefix = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.`;
    return `${prefix}${'d'.repeat(length - prefix.length - '.com'.length)}.com`;
  };
  const email255 = emailOfLength(255);

  it.each<[string, string, number, string[] | null]>([
    ['malformed JSON', '{"name": "Ada", "email": ', 400, ['form']],
    ['null', 'null', 400, ['form']],
    ['an array', '[]', 400, ['form']],
    ['a string', '"string"', 400, ['form']],
    ['a number', '42', 400, ['form']],
    ['wrong types', JSON.stringify({ name: 1, email: true }), 400, ['email', 'name']],
    ['an unknown field', JSON.stringify({ name: 'Ada', email: uniqueEmail('extra'), isAdmin: true }), 400, ['form']],
    ['control characters in the name', JSON.stringify({ name: 'Ada\u0000\u001b[31m', email: uniqueEmail('ctrl') }), 400, ['name']],
    ['a 101-character name', JSON.stringify({ name: 'n'.repeat(101), email: uniqueEmail('long') }), 400, ['name']],
    ['a 255-character email', JSON.stringify({ name: 'Ada', email: email255 }), 400, ['email']],
    ['a body of 10 KB + 1 byte', userBodyOfSize(MAX_BODY_BYTES + 1), 413, null],
  ])('refuses %s with its status and a JSON error, and creates nothing', async (_case, body, status, fields) => {
    if (status === 413) expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES + 1);
    const before = await listUsers(server.url);
    const { lastEventId } = await health(server.url);

    const response = await postUser(server.url, body);

    expect(response.status).toBe(status);
    const error = await errorBody(response);
    if (fields) expect(Object.keys(error.fieldErrors ?? {}).sort()).toEqual(fields);
    else expect(error.error).toBe(`Request body must be at most ${MAX_BODY_BYTES} bytes`);
    expect(await listUsers(server.url)).toEqual(before);
    expect((await health(server.url)).lastEventId).toBe(lastEventId);
  });

  it('accepts the same address one character shorter (254), so the refusal above is about length alone', async () => {
    expect(email255).toHaveLength(255);
    const email = emailOfLength(254);
    expect(email).toHaveLength(254);
    const response = await postUser(server.url, { name: 'Longest Email', email });
    expect(response.status).toBe(201);
    expect(((await response.json()) as UserDTO).email).toBe(email);
  });

  it('accepts a body of exactly 10 KB, so the 413s above are about size alone', async () => {
    const body = userBodyOfSize(MAX_BODY_BYTES);
    expect(Buffer.byteLength(body)).toBe(MAX_BODY_BYTES);
    const response = await postUser(server.url, body);
    // The name is far too long for the schema: the body was read and judged, not refused unread.
    expect(response.status).toBe(400);
    expect(Object.keys((await errorBody(response)).fieldErrors ?? {})).toEqual(['name']);
  });

  it('refuses a chunked body over 10 KB that declares no length (413), and creates nothing', async () => {
    const before = await listUsers(server.url);
    const body = userBodyOfSize(MAX_BODY_BYTES + 2_048);
    const chunks = body.match(/[\s\S]{1,1024}/g) ?? [];

    const response = await rawPost('/api/users', chunks, {
      Authorization: `Bearer ${API_TOKEN}`,
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });

    expect(response.status).toBe(413);
    expect(response.contentType).toMatch(/^application\/json/);
    expectNothingLeaked(response.text);
    expect(JSON.parse(response.text)).toEqual({ error: `Request body must be at most ${MAX_BODY_BYTES} bytes` });
    expect(await listUsers(server.url)).toEqual(before);
  });

  it('still reads a small chunked body (the 413 is about size, not chunking)', async () => {
    const email = uniqueEmail('chunked');
    const body = JSON.stringify({ name: 'Chunked Ada', email });
    const response = await rawPost('/api/users', [body.slice(0, 10), body.slice(10)], {
      Authorization: `Bearer ${API_TOKEN}`,
      'Content-Type': 'application/json',
      'Transfer-Encoding': 'chunked',
    });
    expect(response.status).toBe(201);
    expect(JSON.parse(response.text)).toMatchObject({ name: 'Chunked Ada', email });
  });
});

describe('DELETE /api/users/{id} with an id that is not a canonical positive number', () => {
  it.each(['abc', '0', '-1', '1.5', '0x10', '1e1', '99999999999', '%00', '01', '+1', '%201'])(
    'answers 404 with a JSON error to %j and deletes nothing',
    async (id) => {
      const before = await listUsers(server.url);
      for (const user of seeded) expect(before).toContainEqual(user);

      const response = await deleteUser(server.url, id);

      expect(response.status).toBe(404);
      await errorBody(response);
      expect(await listUsers(server.url)).toEqual(before);
    },
  );
});

describe('markup in a name', () => {
  const MARKUP = '<img src=x onerror=alert(1)>';

  it('is stored and returned verbatim as JSON, and escaped in the server-rendered page', async () => {
    const created = await createUser(server.url, MARKUP, uniqueEmail('markup'));
    expect(created.name).toBe(MARKUP);
    expect((await listUsers(server.url)).find((user) => user.id === created.id)?.name).toBe(MARKUP);

    const response = await fetch(`${server.url}/`, { headers: { Cookie: cookie } });
    expect(response.status).toBe(200);
    const html = await response.text();
    const row = new RegExp(`<tr[^>]*data-user-id="${created.id}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];
    expect(row).toContain('>&lt;img src=x onerror=alert(1)&gt;</td>');
    // Nowhere in the page, the RSC payload in its scripts included, does the markup appear as is.
    expect(html).not.toContain(MARKUP);
    expect(html).not.toMatch(/<img src=x/i);
  });
});

describe('50 concurrent creates of one email in mixed case', () => {
  it('answers one 201 and 49 409s, stores one row and announces one event', async () => {
    const email = uniqueEmail('race');
    const variants = Array.from({ length: 50 }, (_, i) =>
      [...email].map((char, j) => ((i >> j % 6) & 1 ? char.toUpperCase() : char)).join(''),
    );
    expect(new Set(variants).size).toBeGreaterThan(30);
    const before = await health(server.url);

    const responses = await Promise.all(variants.map((variant, i) => postUser(server.url, { name: `Racer ${i}`, email: variant })));

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(49).fill(409)]);
    for (const response of responses.filter((r) => r.status === 409)) {
      expect(await errorBody(response)).toEqual({ error: 'Conflict', fieldErrors: { email: ['A user with this email already exists'] } });
    }
    const owners = (await listUsers(server.url)).filter((user) => user.email === email.toLowerCase());
    expect(owners).toHaveLength(1);
    expect((await health(server.url)).eventsPublished).toBe(before.eventsPublished + 1);
  });
});

describe('a database that cannot be written', () => {
  it('answers 503 with a clear message after the busy timeout, creates nothing and announces nothing', async () => {
    const subscriber = await SseClient.connect(`${server.url}/events`);
    clients.push(subscriber);
    expect((await subscriber.next()).event).toBe('connected');
    const email = uniqueEmail('locked');

    // Another process holds the write lock, as a long migration or a stuck writer would.
    const locker = new Database(server.databaseFile);
    let response: Response;
    const startedAt = Date.now();
    try {
      locker.exec('BEGIN EXCLUSIVE');
      response = await postUser(server.url, { name: 'Never Stored', email });
    } finally {
      if (locker.inTransaction) locker.exec('ROLLBACK');
      locker.close();
    }

    expect(response.status).toBe(503);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(4_000);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await errorBody(response)).toEqual({ error: 'The database is unavailable; nothing was changed. Try again shortly.' });
    expect((await listUsers(server.url)).some((user) => user.email === email)).toBe(false);

    // Events arrive in order: had the failed create been announced, it would come first.
    const marker = await createUser(server.url, 'After The Outage');
    const message = await subscriber.next();
    expect(message.event).toBe('user_created');
    expect(JSON.parse(message.data)).toEqual(marker);
  }, 20_000);
});

describe('a form posted from another site', () => {
  const createForm = async () => {
    const response = await fetch(`${server.url}/`, { headers: { Cookie: cookie } });
    return findForm(await response.text(), (form) => form.includes('aria-label="Add a user"'));
  };

  it('is refused with 403 and creates nothing; the same post from this origin succeeds', async () => {
    const form = await createForm();
    const email = uniqueEmail('csrf');
    const before = await listUsers(server.url);

    const forged = await submitForm(`${server.url}/`, form, { name: 'Forged', email }, {
      headers: { Cookie: cookie, Origin: 'https://evil.example' },
    });

    expect(forged.status).toBe(403);
    expect(await errorBody(forged)).toEqual({ error: 'Cross-site request refused' });
    expect(await listUsers(server.url)).toEqual(before);

    const genuine = await submitForm(`${server.url}/`, form, { name: 'Genuine', email }, {
      headers: { Cookie: cookie, Origin: server.url },
    });
    expect(genuine.status).toBe(200);
    expect(await genuine.text()).toContain('Added Genuine.');
    const created = await eventually(() => listUsers(server.url), (users) => users.some((user) => user.email === email));
    expect(created.filter((user) => user.email === email)).toHaveLength(1);
  });
});
