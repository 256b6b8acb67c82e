// Invites (issue 21), on a real `npm start` with its own SQLite file: an admin makes a one-time link
// for a person who has a role; opening it lets them set a password and lands them signed in; a used,
// expired or superseded link says so and lets no one in.
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { makePerson } from '../support/accounts';
import { type Auth, authHeaders, createUser, postUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { logEntries, readLog, startServer, type TestServer } from '../support/server';
import { sessionCookieOf, signIn, submitSignIn } from '../support/session';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: { API_TOKENS: 'watcher:viewer-token-0123456789:viewer, writer:editor-token-0123456789' } });
});
afterAll(() => server?.stop());

const url = () => server.url;
type Invite = { url: string; expiresAt: string };

const invite = (id: number | string, auth: Auth = 'token', headers: Record<string, string> = {}) =>
  fetch(`${url()}/api/users/${id}/invite`, { method: 'POST', headers: { ...authHeaders(auth), ...headers } });

async function invited(id: number): Promise<Invite> {
  const response = await invite(id);
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as Invite;
}

function storedInvites(): { id: string; userId: number; usedAt: string | null; createdBy: string }[] {
  const db = new Database(server.databaseFile, { readonly: true });
  try {
    return db.prepare('SELECT "id", "userId", "usedAt", "createdBy" FROM "Invite"').all() as { id: string; userId: number; usedAt: string | null; createdBy: string }[];
  } finally {
    db.close();
  }
}

/** The invite page of a link, and its form when it has one. */
async function openLink(link: string): Promise<{ status: number; html: string; form: string | null }> {
  const response = await fetch(link.replace(/^http:\/\/[^/]+/, url()));
  const html = await response.text();
  return { status: response.status, html, form: html.includes('name="password"') ? findForm(html, (f) => f.includes('name="password"')) : null };
}

/** Sends a password through the invite page's form, as a browser without JavaScript would. */
async function setPassword(link: string, password: string): Promise<Response> {
  const { form } = await openLink(link);
  if (!form) throw new Error('The invite page has no form');
  return submitForm(link.replace(/^http:\/\/[^/]+/, url()), form, { password }, { redirect: 'manual', headers: { Origin: url() } });
}

const tokenOf = (link: string) => link.split('/invite/')[1] ?? '';

describe('making an invite', () => {
  it('gives an admin a one-time link for a person with a role, valid 7 days, and stores only its hash', async () => {
    const grace = await createPerson('Grace Invited', 'editor');
    const before = Date.now();
    const { url: link, expiresAt } = await invited(grace.id);
    expect(link).toMatch(new RegExp(`^${url()}/invite/[\\w-]{43}$`));
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(7 * 24 * 3600_000 - 60_000);
    expect(Date.parse(expiresAt) - before).toBeLessThan(7 * 24 * 3600_000 + 60_000);
    const stored = storedInvites().filter((row) => row.userId === grace.id);
    expect(stored).toEqual([{ id: createHash('sha256').update(tokenOf(link)).digest('base64url'), userId: grace.id, usedAt: null, createdBy: 'token:API_TOKEN' }]);
    const line = logEntries(await readLog(server.logFile)).find((entry) => entry.msg === 'invite created' && entry.userId === grace.id);
    expect(line).toMatchObject({ principal: 'token:API_TOKEN' });
    // The link's token is a secret: no log line holds it, not even the request lines of the page.
    await openLink(link);
    expect(await readLog(server.logFile)).not.toContain(tokenOf(link));
  });

  it('refuses editors, viewers and anonymous callers (403 / 401), a user without a role (409) and no user (404), making nothing', async () => {
    const target = await createPerson('Not Invited', 'viewer');
    const editor = await makePerson(url(), server.databaseFile, 'Eve Editor', 'editor');
    const cookie = await signIn(url(), { email: editor.email, password: editor.password });
    const nobody = await createUser(url(), 'No Role At All', uniqueEmail('norole'));
    const answers = [
      await invite(target.id, { bearer: 'editor-token-0123456789' }),
      await invite(target.id, { bearer: 'viewer-token-0123456789' }),
      await invite(target.id, { cookie }, { Origin: url(), 'Content-Type': 'application/json' }),
      await invite(target.id, 'none'),
      await invite(nobody.id),
      await invite(2 ** 31 - 2),
      await invite('abc'),
    ];
    expect(answers.map((response) => response.status)).toEqual([403, 403, 403, 401, 409, 404, 404]);
    for (const response of answers) expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await answers[0]!.json()) as { error: string }).error).toBe('Only an admin can invite people.');
    expect(storedInvites().filter((row) => row.userId === target.id || row.userId === nobody.id)).toEqual([]);
  });
});

describe('using an invite', () => {
  it('lets the person set a password (8–128 characters) and lands them signed in; then they sign in with it', async () => {
    const ada = await createPerson('Ada Newcomer', 'editor');
    const { url: link } = await invited(ada.id);
    const page = await openLink(link);
    expect(page.status).toBe(200);
    expect(page.html.replaceAll('<!-- -->', '')).toContain(`Welcome, Ada Newcomer. Choose a password for ${ada.email}`);

    // A password the rule refuses says why, and leaves the link usable.
    const short = await setPassword(link, 'seven77');
    expect(await short.text()).toContain('Password must be at least 8 characters');
    expect(sessionCookieOf(short)).toBeUndefined();

    const accepted = await setPassword(link, 'my own password, at last');
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get('location')).toMatch(/\/$/);
    const cookie = sessionCookieOf(accepted)!;
    expect(cookie).toMatch(/^roster_session=.+/);
    const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
    expect(dashboard).toContain('Ada Newcomer');
    expect(dashboard).toContain('aria-label="Add a user"'); // an editor
    expect(sessionCookieOf(await submitSignIn(url(), 'my own password, at last', {}, ada.email))).toMatch(/^roster_session=.+/);
    expect(storedInvites().find((row) => row.userId === ada.id)?.usedAt).not.toBeNull();
  });

  it('says so for a used link, an expired one and one a newer invite replaced, and lets no one in through them', async () => {
    const lin = await createPerson('Lin Linked', 'viewer');
    const used = (await invited(lin.id)).url;
    expect((await setPassword(used, 'first and only use')).status).toBe(303);

    const replaced = (await invited(lin.id)).url;
    const newest = (await invited(lin.id)).url;
    const expired = newest;
    const db = new Database(server.databaseFile);
    db.prepare('UPDATE "Invite" SET "expiresAt" = ? WHERE "id" = ?').run(new Date(Date.now() - 1000).toISOString().replace('Z', '+00:00'), createHash('sha256').update(tokenOf(expired)).digest('base64url'));
    db.close();

    const cases: [string, string][] = [
      [used, 'This invite link has been used already. Ask an admin for a new one.'],
      [expired, 'This invite link has expired. Ask an admin for a new one.'],
      [replaced, 'This invite link is not valid. Ask an admin for a new one.'],
      [`${url()}/invite/not-a-token`, 'This invite link is not valid. Ask an admin for a new one.'],
    ];
    for (const [link, message] of cases) {
      const page = await openLink(link);
      expect(page.status).toBe(200);
      expect(page.html).toContain(message);
      expect(page.form).toBeNull();
    }
  });

  it('is used once even when sent twice at once, and ends the sessions the person had before', async () => {
    const kit = await makePerson(url(), server.databaseFile, 'Kit Reset', 'editor');
    const before = await signIn(url(), { email: kit.email, password: kit.password });
    const { url: link } = await invited(kit.user.id);
    const { form } = await openLink(link);
    const local = link.replace(/^http:\/\/[^/]+/, url());
    const [first, second] = await Promise.all(['reset password one', 'reset password two'].map((password) => submitForm(local, form!, { password }, { redirect: 'manual', headers: { Origin: url() } })));
    const cookies = [first!, second!].map(sessionCookieOf).filter(Boolean);
    expect(cookies).toHaveLength(1);
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: before } })).status).toBe(401);
    expect((await fetch(`${url()}/api/users`, { headers: { Cookie: cookies[0]! } })).status).toBe(200);
  });
});

/** A user with `role` and no password yet: who an invite is for. */
async function createPerson(name: string, role: string): Promise<UserDTO> {
  const response = await postUser(url(), { name, email: uniqueEmail(name.split(' ')[0]?.toLowerCase()), role });
  expect(response.status).toBe(201);
  return (await response.json()) as UserDTO;
}
