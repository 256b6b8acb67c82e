// RATE_LIMIT_WRITES_PER_MIN on a server of its own started with a small allowance: writes through
// the API and through the form, and stream connections, are counted per principal (each API token
// by name, each signed-in session), whatever X-Forwarded-For says; requests refused as
// unauthenticated are counted per client address. On both ways of serving the stream.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makePerson } from '../support/accounts';
import { createUser, deleteUser, eventually, fetchUser, health, listUsers, patchUser, postUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { SERVES, type TestServer, startServer } from '../support/server';
import { clientAddress, signIn } from '../support/session';
import { SseClient } from '../support/sse';

const PER_MINUTE = 5;

/** One token per test, so each starts with a full allowance. */
const TOKENS = Object.fromEntries(
  ['rotating', 'first', 'second', 'editor', 'streams', 'otherStreams'].map((name) => [name, `${name}-token-0123456789abcdef`]),
);

describe.each(SERVES)('rate limits (%s)', (serve) => {
  let server: TestServer;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    server = await startServer({
      serve,
      env: {
        RATE_LIMIT_WRITES_PER_MIN: String(PER_MINUTE),
        API_TOKENS: Object.entries(TOKENS)
          .map(([name, token]) => `${name}:${token}`)
          .join(','),
      },
    });
  });

  afterAll(async () => {
    await server?.stop();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await eventually(() => health(server.url), (h) => h.subscribers === 0);
  });

  /** A request with one of the tokens, from a made-up address of its own (a new one each time). */
  const as = (name: string, address = clientAddress()) => ({ auth: { bearer: TOKENS[name] ?? '' }, headers: { 'X-Forwarded-For': address } });

  /** Checks a 429: a whole number of seconds to wait, at least one, and a JSON error. */
  async function expectTooMany(response: Response) {
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/^Too many requests; try again in \d+ s$/) });
  }

  describe(`RATE_LIMIT_WRITES_PER_MIN=${PER_MINUTE}`, () => {
    it('counts a token\'s writes however X-Forwarded-For rotates: 429 after 5, and nothing changes', async () => {
      const statuses: number[] = [];
      for (let i = 1; i <= PER_MINUTE; i++) {
        const response = await postUser(server.url, { name: `Rotating ${i}`, email: uniqueEmail() }, as('rotating'));
        statuses.push(response.status);
      }
      expect(statuses).toEqual(Array(PER_MINUTE).fill(201));
      const before = await listUsers(server.url);

      await expectTooMany(await postUser(server.url, { name: 'One Too Many', email: uniqueEmail() }, as('rotating')));
      await expectTooMany(await deleteUser(server.url, before[0]?.id ?? 1, as('rotating')));
      expect(await listUsers(server.url)).toEqual(before);
    });

    it('gives each token its own allowance: two tokens from one address get 5 writes each', async () => {
      const address = clientAddress();
      for (const name of ['first', 'second']) {
        // Creates and deletes draw on the same allowance.
        const user = await createUser(server.url, `${name} 1`, uniqueEmail(), as(name, address));
        expect((await deleteUser(server.url, user.id, as(name, address))).status).toBe(204);
        for (let i = 3; i <= PER_MINUTE; i++) await createUser(server.url, `${name} ${i}`, uniqueEmail(), as(name, address));
      }
      await expectTooMany(await postUser(server.url, { name: 'First Again', email: uniqueEmail() }, as('first', address)));
      await expectTooMany(await postUser(server.url, { name: 'Second Again', email: uniqueEmail() }, as('second', address)));
    });

    it('counts edits against the same allowance, and refuses one past it without changing the user', async () => {
      const user = await createUser(server.url, 'Edit 1', uniqueEmail(), as('editor'));
      for (let version = 1; version < PER_MINUTE; version++) {
        expect((await patchUser(server.url, user.id, { name: `Edit ${version + 1}` }, version, as('editor'))).status).toBe(200);
      }
      const before = await (await fetchUser(server.url, user.id)).json();

      await expectTooMany(await patchUser(server.url, user.id, { name: 'One Edit Too Many' }, PER_MINUTE, as('editor')));

      expect(await (await fetchUser(server.url, user.id)).json()).toEqual(before);
    });

    it('counts a person\'s writes, API and form alike, in all their browsers, and refuses a form post past them with the friendly message', async () => {
      const cookie = await signIn(server.url);
      const signedIn = () => ({ auth: { cookie }, headers: { 'X-Forwarded-For': clientAddress() } });
      for (let i = 1; i <= PER_MINUTE; i++) await createUser(server.url, `Session Write ${i}`, uniqueEmail(), signedIn());
      const page = await fetch(`${server.url}/`, { headers: { Cookie: cookie } });
      const form = findForm(await page.text(), (f) => f.includes('aria-label="Add a user"'));
      const before = await listUsers(server.url);
      const email = uniqueEmail('form');

      const refused = await submitForm(`${server.url}/`, form, { name: 'Too Quick', email }, { headers: { Cookie: cookie, 'X-Forwarded-For': clientAddress() } });

      expect(refused.status).toBe(200);
      const html = await refused.text();
      const message = /You are making changes too quickly\. Try again in (\d+) s\./.exec(html);
      expect(message, 'the friendly message on the form').not.toBeNull();
      expect(Number(message?.[1])).toBeGreaterThanOrEqual(1);
      expect(findForm(html, (f) => f.includes('aria-label="Add a user"'))).toContain('value="Too Quick"');
      expect(await listUsers(server.url)).toEqual(before);

      // Another browser of the same person shares the allowance...
      const sameperson = await signIn(server.url);
      const alsoRefused = await submitForm(`${server.url}/`, form, { name: 'Still Too Quick', email }, { headers: { Cookie: sameperson } });
      expect(await alsoRefused.text()).toMatch(/You are making changes too quickly\./);
      // ...another person has their own, from the same address.
      const ada = await makePerson(server.url, server.databaseFile, 'Ada Allowance', 'editor');
      const other = await signIn(server.url, { email: ada.email, password: ada.password });
      const accepted = await submitForm(`${server.url}/`, form, { name: 'Not Too Quick', email }, { headers: { Cookie: other } });
      expect(await accepted.text()).toContain('Added Not Too Quick.');
    });

    it('limits stream connections per token the same way, whatever the address', async () => {
      for (let i = 1; i <= PER_MINUTE; i++) {
        const client = await SseClient.connect(`${server.url}/events`, as('streams').headers, as('streams').auth);
        clients.push(client);
        expect((await client.next()).event).toBe('connected');
      }

      await expectTooMany(await fetch(`${server.url}/events`, { headers: { Authorization: `Bearer ${TOKENS.streams}`, ...as('streams').headers } }));
      expect((await health(server.url)).subscribers).toBe(PER_MINUTE);

      const other = await SseClient.connect(`${server.url}/events`, {}, as('otherStreams').auth);
      clients.push(other);
      expect((await other.next()).event).toBe('connected');
    });

    it('counts requests refused as unauthenticated per address: a guesser gets 429s, another address its 401', async () => {
      const guesser = clientAddress();
      const guess = () => fetch(`${server.url}/api/users`, { headers: { Authorization: `Bearer guess-${clientAddress()}-0123456789`, 'X-Forwarded-For': guesser } });
      const statuses: number[] = [];
      for (let i = 0; i < 61; i++) statuses.push((await guess()).status);
      expect(statuses.slice(0, 60)).toEqual(Array(60).fill(401));
      await expectTooMany(await guess());
      const elsewhere = await fetch(`${server.url}/api/users`, { headers: { 'X-Forwarded-For': clientAddress() } });
      expect(elsewhere.status).toBe(401);
    });
  });
});
