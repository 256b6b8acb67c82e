// People sign in as themselves (issue 21), on a real `npm start` with its own SQLite file: the
// first admin made from ADMIN_EMAIL and ADMIN_PASSWORD, a person's role deciding what their
// session may do, access ending the moment it is taken away, the audit trail naming who, and a
// budget of wrong passwords per account.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { ADMINS_ONLY_MESSAGE, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { makePerson, type Person } from '../support/accounts';
import { authHeaders, deleteUser, eventually, listUsers, patchUser, postUser, uniqueEmail } from '../support/api';
import { logEntries, readLog, startServer, type TestServer } from '../support/server';
import { ADMIN_EMAIL, ADMIN_PASSWORD } from '../support/secrets';
import { clientAddress, sessionCookieOf, signIn, submitSignIn } from '../support/session';
import { twoInstances } from '../support/instances';
import { findForm, submitForm } from '../support/html';
import { servicesUp } from '../support/services';
import { SseClient } from '../support/sse';

const up = await servicesUp('postgres', 'redis');

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

const url = () => server.url;
const person = (name: string, role: Parameters<typeof makePerson>[3]) => makePerson(url(), server.databaseFile, name, role);
const asPerson = (someone: Person) => signIn(url(), { email: someone.email, password: someone.password });

/** What the server keeps of a user that the API never shows. */
function storedAccount(email: string): { id: number; role: string; passwordHash: string | null } | undefined {
  const db = new Database(server.databaseFile, { readonly: true });
  try {
    return db.prepare('SELECT "id", "role", "passwordHash" FROM "User" WHERE "email" = ?').get(email) as { id: number; role: string; passwordHash: string | null } | undefined;
  } finally {
    db.close();
  }
}

async function activityOf(id: number): Promise<ActivityPageDTO> {
  return (await (await fetch(`${url()}/api/activity?user=${id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
}

/** A cookie's writes as a browser on this site sends them (same Origin, JSON). */
const sameSite = (cookie: string) => ({ auth: { cookie }, headers: { Origin: url() } });

async function expiredWithin(client: SseClient, since: number, timeoutMs = 2_000): Promise<number> {
  for (;;) {
    const message = await client.next(Math.max(1, since + timeoutMs - Date.now()));
    if (message.event === 'expired') return Date.now() - since;
  }
}

const WRONG = 'That email and password do not match an account that can sign in.';

describe('the first admin', () => {
  it('is made from ADMIN_EMAIL at start-up: an admin named "Admin" in the directory, the password stored as a scrypt hash', async () => {
    const [admin] = await listUsers(url(), undefined, { q: ADMIN_EMAIL });
    expect(admin).toMatchObject({ email: ADMIN_EMAIL, name: 'Admin', role: 'admin' });
    const stored = storedAccount(ADMIN_EMAIL);
    expect(stored?.passwordHash).toMatch(/^scrypt\$16\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(stored?.passwordHash).not.toContain(ADMIN_PASSWORD);
    // Recorded as Roster's own change, and never with the hash.
    const [created] = (await activityOf(admin!.id)).entries;
    expect(created).toMatchObject({ principal: 'system', actor: null, kind: 'created' });
    expect(JSON.stringify(created)).not.toContain('scrypt');
  });

  it('keeps its sessions across a restart with the same password, and ends them when ADMIN_PASSWORD changes', async () => {
    const cookie = await signIn(url());
    const [admin] = await listUsers(url(), undefined, { q: ADMIN_EMAIL });
    const history = (await activityOf(admin!.id)).entries.length;

    await server.restart();
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect((await activityOf(admin!.id)).entries).toHaveLength(history);

    await server.restart({ env: { ADMIN_PASSWORD: 'the admin password, changed' } });
    try {
      expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(401);
      expect(sessionCookieOf(await submitSignIn(url(), ADMIN_PASSWORD))).toBeUndefined();
      await signIn(url(), { password: 'the admin password, changed' });
    } finally {
      await server.restart({ env: {} });
    }
  }, 60_000);
});

describe('signing in as yourself', () => {
  it('lets a person with a role in with their own email and password, names them on the dashboard and in the audit trail', async () => {
    const ada = await person('Ada Lovelace', 'editor');
    const cookie = await asPerson(ada);
    const page = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
    // React separates text runs with <!-- --> in server HTML.
    expect(page.replaceAll('<!-- -->', '')).toMatch(/Signed in as <strong[^>]*>Ada Lovelace<\/strong> \(Editor\)/);

    const response = await postUser(url(), { name: 'Made By Ada', email: uniqueEmail('by-ada') }, sameSite(cookie));
    expect(response.status).toBe(201);
    const made = (await response.json()) as UserDTO;
    const [entry] = (await activityOf(made.id)).entries;
    expect(entry).toMatchObject({ principal: `user:${ada.user.id}`, actor: { id: ada.user.id, name: 'Ada Lovelace' }, kind: 'created' });

    const log = logEntries(await readLog(server.logFile));
    expect(log.some((line) => line.msg === 'signed in' && line.principal === `user:${ada.user.id}`)).toBe(true);
    expect(log.some((line) => line.msg === 'user created' && line.principal === `user:${ada.user.id}` && line.userId === made.id)).toBe(true);
  });

  it('refuses a wrong password, an unknown email, and a person without a role, alike, and logs the failures with the account', async () => {
    const ada = await person('Ada Refused', 'editor');
    const nobody = await person('No Access', 'none');
    for (const [email, password] of [
      [ada.email, `${ada.password}!`],
      [uniqueEmail('not-a-person'), ada.password],
      [nobody.email, nobody.password],
    ]) {
      const response = await submitSignIn(url(), password!, {}, email);
      expect(sessionCookieOf(response)).toBeUndefined();
      expect(await response.text()).toContain(WRONG);
    }
    const failures = logEntries(await readLog(server.logFile)).filter((line) => line.msg === 'sign-in failed');
    expect(failures.map((line) => line.userId)).toEqual(expect.arrayContaining([ada.user.id, nobody.user.id, null]));
    expect(JSON.stringify(failures)).not.toContain(ada.password);
  });
});

describe("a person's role, on every request of their session", () => {
  it('a viewer reads the directory and the stream, gets no create form, and 403 on every write', async () => {
    const grace = await person('Grace Viewer', 'viewer');
    const cookie = await asPerson(grace);
    const page = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
    expect(page).toContain('Grace Viewer');
    expect(page).not.toContain('aria-label="Add a user"');
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(200);
    const stream = await SseClient.connect(`${url()}/events`, { Cookie: cookie }, 'none');
    expect((await stream.next()).event).toBe('connected');
    stream.close();

    const email = uniqueEmail('viewer-made');
    const create = await postUser(url(), { name: 'By A Viewer', email }, sameSite(cookie));
    const edit = await patchUser(url(), grace.user.id, { name: 'Renamed' }, grace.user.version, sameSite(cookie));
    const remove = await deleteUser(url(), grace.user.id, sameSite(cookie));
    for (const response of [create, edit, remove]) {
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: string }).error).toBe(VIEWER_MESSAGE);
    }
    expect(await listUsers(url(), undefined, { q: email })).toEqual([]);
    expect((await listUsers(url(), undefined, { q: grace.email }))[0]).toEqual(grace.user);
  });

  it('an editor edits users but not roles (403, nothing changed)', async () => {
    const ed = await person('Ed Editor', 'editor');
    const target = await person('Target Person', 'viewer');
    const cookie = await asPerson(ed);
    const promote = await patchUser(url(), target.user.id, { role: 'admin' }, target.user.version, sameSite(cookie));
    expect(promote.status).toBe(403);
    expect(((await promote.json()) as { error: string }).error).toBe(ADMINS_ONLY_MESSAGE);
    const rename = await patchUser(url(), target.user.id, { name: 'Target Renamed' }, target.user.version, sameSite(cookie));
    expect(rename.status).toBe(200);
    expect(((await rename.json()) as UserDTO).role).toBe('viewer');
  });

  it('a role that keeps access applies to the very next request: an editor made a viewer is refused writes at once', async () => {
    const kim = await person('Kim Demoted', 'editor');
    const cookie = await asPerson(kim);
    expect((await postUser(url(), { name: 'Before', email: uniqueEmail('before') }, sameSite(cookie))).status).toBe(201);
    expect((await patchUser(url(), kim.user.id, { role: 'viewer' }, kim.user.version)).status).toBe(200);
    // Not after the session cache's second: the change told every instance to read Kim's sessions again.
    expect((await postUser(url(), { name: 'After', email: uniqueEmail('after') }, sameSite(cookie))).status).toBe(403);
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(200);
  });
});

describe('access taken away ends every session of the person at once', () => {
  for (const [how, take] of [
    ['demoted to no access', (someone: Person) => patchUser(url(), someone.user.id, { role: 'none' }, someone.user.version)],
    ['deleted', (someone: Person) => deleteUser(url(), someone.user.id)],
  ] as const) {
    it(`${how}: both their browsers are refused and their open streams get \`expired\` within 2 s`, async () => {
      const lee = await person('Lee Leaving', 'editor');
      const [first, second] = [await asPerson(lee), await asPerson(lee)];
      const stream = await SseClient.connect(`${url()}/events`, { Cookie: first }, 'none');
      expect((await stream.next()).event).toBe('connected');

      const at = Date.now();
      expect((await take(lee)).ok).toBe(true);
      expect(await expiredWithin(stream, at)).toBeLessThan(2_000);
      for (const cookie of [first, second]) expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(401);
      expect(sessionCookieOf(await submitSignIn(url(), lee.password, {}, lee.email))).toBeUndefined();
    });
  }
});

describe('an admin ends a person’s sessions', () => {
  it('DELETE /api/users/{id}/sessions: 200 {ended}, both browsers refused, the open stream `expired` within 2 s; the person can sign in again', async () => {
    const rae = await person('Rae Reset', 'editor');
    const [first, second] = [await asPerson(rae), await asPerson(rae)];
    const stream = await SseClient.connect(`${url()}/events`, { Cookie: second }, 'none');
    expect((await stream.next()).event).toBe('connected');
    const ed = await person('Ed Not Admin', 'editor');
    const edCookie = await asPerson(ed);

    const refused = await fetch(`${url()}/api/users/${rae.user.id}/sessions`, { method: 'DELETE', headers: { Cookie: edCookie, Origin: url() } });
    expect(refused.status).toBe(403);
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: first } })).status).toBe(200);
    expect((await fetch(`${url()}/api/users/${2 ** 31 - 2}/sessions`, { method: 'DELETE', headers: authHeaders() })).status).toBe(404);

    const at = Date.now();
    const ended = await fetch(`${url()}/api/users/${rae.user.id}/sessions`, { method: 'DELETE', headers: authHeaders() });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toEqual({ ended: 2 });
    expect(await expiredWithin(stream, at)).toBeLessThan(2_000);
    for (const cookie of [first, second]) expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookie } })).status).toBe(401);
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: edCookie } })).status).toBe(200); // others go on
    await asPerson(rae); // still has access: signs in again
    const line = logEntries(await readLog(server.logFile)).find((entry) => entry.msg === 'sessions ended by an admin' && entry.userId === rae.user.id);
    expect(line).toMatchObject({ principal: 'token:API_TOKEN', sessions: 2 });
  });
});

describe('guessing one person’s password', () => {
  it('checks at most 5 wrong passwords a minute for one account from any number of addresses; its person still gets in from a browser they used before', async () => {
    const victim = await person('Vic Target', 'admin');
    // Vic signed in from this browser before: it holds a known-device cookie for Vic's account.
    const first = await submitSignIn(url(), victim.password, {}, victim.email);
    const device = first.headers.getSetCookie().find((cookie) => cookie.startsWith('roster_device='))?.split(';')[0] ?? '';
    expect(device).toMatch(/^roster_device=.+/);

    const answers: string[] = [];
    for (let i = 0; i < 7; i++) {
      const html = await (await submitSignIn(url(), `guess ${i} of many`, { 'X-Forwarded-For': clientAddress() }, victim.email)).text();
      answers.push(html.includes(WRONG) ? 'wrong' : html.includes('Too many wrong passwords for this account just now.') ? 'account busy' : 'unexpected');
    }
    expect(answers).toEqual(['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'account busy', 'account busy']);

    // The right password from yet another browser waits too...
    expect(sessionCookieOf(await submitSignIn(url(), victim.password, { 'X-Forwarded-For': clientAddress() }, victim.email))).toBeUndefined();
    // ...but Vic's own browser gets in at once.
    expect(sessionCookieOf(await submitSignIn(url(), victim.password, { Cookie: device }, victim.email))).toMatch(/^roster_session=.+/);
    const refused = logEntries(await readLog(server.logFile)).filter((line) => line.msg === 'sign-in refused' && line.reason === 'account');
    expect(refused.every((line) => line.userId === victim.user.id)).toBe(true);
    expect(refused.length).toBeGreaterThanOrEqual(3);
  }, 30_000);
});

describe.skipIf(!up)('access taken away, on two instances (PostgreSQL and Redis)', () => {
  const two = twoInstances('accounts');

  /** A person with `role` on the shared database, signed in on instance `at` through an invite (any database). */
  async function signedInPerson(at: string, name: string, role: 'editor' | 'viewer'): Promise<{ user: UserDTO; cookie: string }> {
    const response = await postUser(two.a.url, { name, email: uniqueEmail(name.split(' ')[0]?.toLowerCase()), role });
    const user = (await response.json()) as UserDTO;
    const { url: link } = (await (await fetch(`${two.a.url}/api/users/${user.id}/invite`, { method: 'POST', headers: authHeaders() })).json()) as { url: string };
    const page = link.replace(/^http:\/\/[^/]+/, at);
    const form = findForm(await (await fetch(page)).text(), (f) => f.includes('name="password"'));
    const accepted = await submitForm(page, form, { password: `${name} password` }, { redirect: 'manual', headers: { Origin: at } });
    return { user, cookie: sessionCookieOf(accepted)! };
  }

  it('demoted on A: their cookie is refused on B and their stream on B gets `expired` within 2 s', async () => {
    const { user, cookie } = await signedInPerson(two.b.url, 'Pat Twoplaces', 'editor');
    expect((await fetch(`${two.b.url}/api/users`, { headers: { Cookie: cookie } })).status).toBe(200);
    const stream = await SseClient.connect(`${two.b.url}/events`, { Cookie: cookie }, 'none');
    expect((await stream.next()).event).toBe('connected');

    const at = Date.now();
    expect((await patchUser(two.a.url, user.id, { role: 'none' }, user.version)).status).toBe(200);
    expect(await expiredWithin(stream, at)).toBeLessThan(2_000);
    expect((await fetch(`${two.b.url}/api/users`, { headers: { Cookie: cookie } })).status).toBe(401);
  });

  it('made a viewer on A: B refuses their writes (403) well within the second B may trust its last look, and their reads go on', async () => {
    const { user, cookie } = await signedInPerson(two.b.url, 'Sam Twoplaces', 'editor');
    // An empty body: an editor gets 400 (nothing written), a viewer 403, so probing changes nothing.
    const write = async () => (await postUser(two.b.url, {}, { auth: { cookie }, headers: { Origin: two.b.url } })).status;
    expect(await write()).toBe(400);
    const at = Date.now();
    expect((await patchUser(two.a.url, user.id, { role: 'viewer' }, user.version)).status).toBe(200);
    // The change tells B over Redis to read Sam's sessions again; it arrives within milliseconds.
    expect(await eventually(write, (status) => status === 403, 2_000)).toBe(403);
    expect(Date.now() - at).toBeLessThan(500);
    expect((await fetch(`${two.b.url}/api/users`, { headers: { Cookie: cookie } })).status).toBe(200);
  });
});
