// RATE_LIMIT_WRITES_PER_MIN on a server of its own started with a small allowance: writes through
// the API and through the form, and stream connections, are counted per client (the right-most
// X-Forwarded-For entry), and refused past the allowance while other clients carry on.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authHeaders, createUser, deleteUser, eventually, fetchUser, health, listUsers, patchUser, postUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { type TestServer, startServer } from '../support/server';
import { clientAddress, signIn } from '../support/session';
import { SseClient } from '../support/sse';

const PER_MINUTE = 5;

let server: TestServer;
let cookie: string;
const clients: SseClient[] = [];

beforeAll(async () => {
  server = await startServer({ env: { RATE_LIMIT_WRITES_PER_MIN: String(PER_MINUTE) } });
  cookie = await signIn(server.url);
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.close();
  await eventually(() => health(server.url), (h) => h.subscribers === 0);
});

/** Every request of one client comes through the proxy with its address. */
const from = (address: string) => ({ headers: { 'X-Forwarded-For': address } });

/** Checks a 429: a whole number of seconds to wait, at least one, and a JSON error. */
async function expectTooMany(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ error: expect.stringMatching(/^Too many requests; try again in \d+ s$/) });
}

describe(`RATE_LIMIT_WRITES_PER_MIN=${PER_MINUTE}`, () => {
  it('refuses the sixth API write of a client with 429 and Retry-After, while another client still gets 201', async () => {
    const busy = clientAddress();
    // Creates and deletes draw on the same allowance.
    const first = await createUser(server.url, 'Write 1', uniqueEmail(), from(busy));
    expect((await deleteUser(server.url, first.id, from(busy))).status).toBe(204);
    for (let i = 3; i <= PER_MINUTE; i++) await createUser(server.url, `Write ${i}`, uniqueEmail(), from(busy));
    const before = await listUsers(server.url);

    await expectTooMany(await postUser(server.url, { name: 'One Too Many', email: uniqueEmail() }, from(busy)));
    await expectTooMany(await deleteUser(server.url, before[0]?.id ?? 1, from(busy)));

    expect(await listUsers(server.url)).toEqual(before);
    const other = await postUser(server.url, { name: 'Someone Else', email: uniqueEmail() }, from(clientAddress()));
    expect(other.status).toBe(201);
  });

  it('counts edits against the same allowance, and refuses one past it without changing the user', async () => {
    const busy = clientAddress();
    const user = await createUser(server.url, 'Edit 1', uniqueEmail(), from(busy));
    for (let version = 1; version < PER_MINUTE; version++) {
      expect((await patchUser(server.url, user.id, { name: `Edit ${version + 1}` }, version, from(busy))).status).toBe(200);
    }
    const before = await (await fetchUser(server.url, user.id)).json();

    await expectTooMany(await patchUser(server.url, user.id, { name: 'One Edit Too Many' }, PER_MINUTE, from(busy)));

    expect(await (await fetchUser(server.url, user.id)).json()).toEqual(before);
    expect((await patchUser(server.url, user.id, { name: 'Someone Else Edits' }, PER_MINUTE, from(clientAddress()))).status).toBe(200);
  });

  it('counts the client proxies name last in X-Forwarded-For, not what the client put before it', async () => {
    const client = clientAddress();
    for (let i = 1; i <= PER_MINUTE; i++) {
      // A client that makes up a new address each time, in front of the one its proxy appended.
      const forwarded = { headers: { 'X-Forwarded-For': `${clientAddress()}, ${client}` } };
      expect((await postUser(server.url, { name: `Spoofer ${i}`, email: uniqueEmail() }, forwarded)).status).toBe(201);
    }
    const forwarded = { headers: { 'X-Forwarded-For': `${clientAddress()}, ${client}` } };
    await expectTooMany(await postUser(server.url, { name: 'Spoofer', email: uniqueEmail() }, forwarded));
  });

  it('refuses a form post past the allowance with the friendly message, and creates nothing', async () => {
    const busy = clientAddress();
    for (let i = 1; i <= PER_MINUTE; i++) await createUser(server.url, `API Write ${i}`, uniqueEmail(), from(busy));
    const page = await fetch(`${server.url}/`, { headers: { Cookie: cookie } });
    const form = findForm(await page.text(), (f) => f.includes('aria-label="Add a user"'));
    const before = await listUsers(server.url);
    const email = uniqueEmail('form');

    const refused = await submitForm(`${server.url}/`, form, { name: 'Too Quick', email }, {
      headers: { Cookie: cookie, 'X-Forwarded-For': busy },
    });

    expect(refused.status).toBe(200);
    const html = await refused.text();
    const message = /You are making changes too quickly\. Try again in (\d+) s\./.exec(html);
    expect(message, 'the friendly message on the form').not.toBeNull();
    expect(Number(message?.[1])).toBeGreaterThanOrEqual(1);
    expect(findForm(html, (f) => f.includes('aria-label="Add a user"'))).toContain('value="Too Quick"');
    expect(await listUsers(server.url)).toEqual(before);

    // The same form from a client with allowance left goes through.
    const accepted = await submitForm(`${server.url}/`, form, { name: 'Not Too Quick', email }, {
      headers: { Cookie: cookie, 'X-Forwarded-For': clientAddress() },
    });
    expect(await accepted.text()).toContain('Added Not Too Quick.');
  });

  it('limits stream connections per client the same way', async () => {
    const busy = clientAddress();
    for (let i = 1; i <= PER_MINUTE; i++) {
      const client = await SseClient.connect(`${server.url}/events`, from(busy).headers);
      clients.push(client);
      expect((await client.next()).event).toBe('connected');
    }

    const refused = await fetch(`${server.url}/events`, { headers: { ...authHeaders(), ...from(busy).headers } });
    await expectTooMany(refused);
    expect((await health(server.url)).subscribers).toBe(PER_MINUTE);

    const other = await SseClient.connect(`${server.url}/events`, from(clientAddress()).headers);
    clients.push(other);
    expect((await other.next()).event).toBe('connected');
  });
});
