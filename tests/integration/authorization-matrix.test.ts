// The authorization matrix (issue 21), on a real `npm start` over SQLite and over PostgreSQL: every
// kind of caller — anonymous, a person whose role was taken away, a viewer, an editor and an admin
// signed in as themselves, and an API token of each role — against every REST route, the stream,
// every page and every write action posted as a crafted form. Each row checks the status (or, for a
// form, the message it shows) and that nothing changed where it must not. Then the last admin is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { ADMINS_ONLY_MESSAGE, LAST_ADMIN_MESSAGE, type Role, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { authHeaders, fetchUser, listPage, patchUser, postUser, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type TestServer, type PostgresTestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { clientAddress, signedInPerson, signIn } from '../support/session';

const pgUp = await servicesUp('postgres');

const TOKENS = { viewer: 'matrix-viewer-token-0123456789', editor: 'matrix-editor-token-0123456789', admin: 'matrix-admin-token-0123456789' } as const;
const ENV = { API_TOKENS: `looker:${TOKENS.viewer}:viewer, maker:${TOKENS.editor}:editor, boss:${TOKENS.admin}:admin` };

/** What a caller may do: nothing (not signed in, or no longer), read, write users, or manage access too. */
type Level = 'none' | 'read' | 'write' | 'manage';
const LEVELS: Level[] = ['none', 'read', 'write', 'manage'];
const atLeast = (level: Level, need: Level) => LEVELS.indexOf(level) >= LEVELS.indexOf(need);
const LEVEL_OF: Record<Exclude<Role, 'none'>, Level> = { viewer: 'read', editor: 'write', admin: 'manage' };

/** A caller: how its requests are sent, and whether it is a browser's session (pages and actions are theirs). */
type Caller = { level: Level; session: boolean; headers: Record<string, string> };

const CALLERS = ['anonymous', 'role taken away', 'viewer', 'editor', 'admin', 'viewer token', 'editor token', 'admin token'] as const;
type CallerName = (typeof CALLERS)[number];

/** What the invite form says to anyone but an admin (lib/server/auth/invites.ts). */
const INVITES_ADMINS_ONLY = 'Only an admin can invite people.';

/** The status a route answers a caller that needs `need`: 401 to no one, 403 to too little. */
const statusFor = (caller: Caller, need: Level, ok: number) => (atLeast(caller.level, need) ? ok : caller.level === 'none' ? 401 : 403);

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`the authorization matrix on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;
    const callers = new Map<CallerName, Caller>();
    /** The first admin's browser: where the crafted forms are taken from. */
    let adminCookie = '';

    const url = () => server.url;
    const admin = { auth: 'token' as const };

    async function made(body: Record<string, unknown>): Promise<UserDTO> {
      const response = await postUser(url(), body, admin);
      expect(response.status, await response.clone().text()).toBe(201);
      return (await response.json()) as UserDTO;
    }

    const current = async (id: number): Promise<UserDTO | null> => {
      const response = await fetchUser(url(), id);
      return response.status === 404 ? null : ((await response.json()) as UserDTO);
    };

    /** A person with `role` who set their password through an invite (any database), and their browser's cookie. */
    const signedIn = (role: Exclude<Role, 'none'>) => signedInPerson(url(), role, 'Matrix');

    const session = (level: Level, cookie: string): Caller => ({ level, session: true, headers: { Cookie: cookie, Origin: url() } });
    const token = (role: keyof typeof TOKENS): Caller => ({ level: LEVEL_OF[role], session: false, headers: { Authorization: `Bearer ${TOKENS[role]}` } });

    beforeAll(async () => {
      if (database === 'PostgreSQL') {
        pg = await freshDatabase('matrix');
        server = await startServer({ databaseUrl: pg.url, env: ENV });
      } else {
        server = await startServer({ env: ENV });
      }
      adminCookie = await signIn(url());
      callers.set('anonymous', { level: 'none', session: false, headers: {} });
      const taken = await signedIn('viewer');
      const demoted = await patchUser(url(), taken.user.id, { role: 'none' }, taken.user.version);
      expect(demoted.status).toBe(200);
      callers.set('role taken away', { ...session('none', taken.cookie) });
      for (const role of ['viewer', 'editor', 'admin'] as const) callers.set(role, session(LEVEL_OF[role], (await signedIn(role)).cookie));
      callers.set('viewer token', token('viewer'));
      callers.set('editor token', token('editor'));
      callers.set('admin token', token('admin'));
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    it.each(CALLERS)('%s: every REST route and the stream', async (name) => {
      const caller = callers.get(name)!;
      const headers = caller.headers;
      const json = { ...headers, 'Content-Type': 'application/json' };
      const target = await made({ name: 'Matrix Target', email: uniqueEmail('target'), role: 'viewer' });
      const victim = await made({ name: 'Matrix Victim', email: uniqueEmail('victim') });

      // Reads.
      for (const path of ['/api/users', `/api/users/${target.id}`, '/api/activity', `/api/users/${target.id}/activity`]) {
        expect((await fetch(`${url()}${path}`, { headers })).status, `GET ${path}`).toBe(statusFor(caller, 'read', 200));
      }
      const stream = new AbortController();
      const events = await fetch(`${url()}/events`, { headers, signal: stream.signal });
      expect(events.status, 'GET /events').toBe(statusFor(caller, 'read', 200));
      stream.abort();
      expect((await fetch(`${url()}/api/health`, { headers })).status, 'GET /api/health').toBe(200);

      // Writes, and what each left behind.
      const createdEmail = uniqueEmail('by-caller');
      const create = await postUser(url(), { name: 'Made By Caller', email: createdEmail }, { auth: 'none', headers: json });
      expect(create.status, 'POST /api/users').toBe(statusFor(caller, 'write', 201));
      const grantEmail = uniqueEmail('granted');
      const grant = await postUser(url(), { name: 'Granted By Caller', email: grantEmail, role: 'viewer' }, { auth: 'none', headers: json });
      expect(grant.status, 'POST /api/users with a role').toBe(statusFor(caller, 'manage', 201));
      const rename = await patchUser(url(), target.id, { name: 'Renamed By Caller' }, target.version, { auth: 'none', headers: json });
      expect(rename.status, 'PATCH name').toBe(statusFor(caller, 'write', 200));
      const afterRename = (await current(target.id))!;
      const promote = await patchUser(url(), target.id, { role: 'editor' }, afterRename.version, { auth: 'none', headers: json });
      expect(promote.status, 'PATCH role').toBe(statusFor(caller, 'manage', 200));
      const invite = await fetch(`${url()}/api/users/${target.id}/invite`, { method: 'POST', headers: json, body: '{}' });
      expect(invite.status, 'POST invite').toBe(statusFor(caller, 'manage', 201));
      const end = await fetch(`${url()}/api/users/${target.id}/sessions`, { method: 'DELETE', headers: json });
      expect(end.status, 'DELETE sessions').toBe(statusFor(caller, 'manage', 200));
      const remove = await fetch(`${url()}/api/users/${victim.id}`, { method: 'DELETE', headers: json });
      expect(remove.status, 'DELETE user').toBe(statusFor(caller, 'write', 204));
      for (const refused of [create, grant, rename, promote, invite, end, remove].filter((response) => response.status >= 400)) {
        expect(((await refused.json()) as { error?: string }).error, 'a JSON error').toEqual(expect.any(String));
      }

      const after = (await current(target.id))!;
      expect(after.name).toBe(atLeast(caller.level, 'write') ? 'Renamed By Caller' : target.name);
      expect(after.role).toBe(atLeast(caller.level, 'manage') ? 'editor' : 'viewer');
      expect(await current(victim.id)).toEqual(atLeast(caller.level, 'write') ? null : victim);
      expect((await listPage(url(), { q: createdEmail })).total).toBe(atLeast(caller.level, 'write') ? 1 : 0);
      expect((await listPage(url(), { q: grantEmail })).total).toBe(atLeast(caller.level, 'manage') ? 1 : 0);
      const activity = (await (await fetch(`${url()}/api/activity?user=${target.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      const kinds = activity.entries.map((entry) => entry.kind).reverse();
      const expected = ['created', ...(atLeast(caller.level, 'write') ? ['edited'] : []), ...(atLeast(caller.level, 'manage') ? ['edited', 'invited', 'sessions ended'] : [])];
      expect(kinds).toEqual(expected);
    });

    it.each(CALLERS)('%s: every page', async (name) => {
      const caller = callers.get(name)!;
      const target = await made({ name: 'Matrix Page Target', email: uniqueEmail('page'), role: 'viewer' });
      const get = (path: string) => fetch(`${url()}${path}`, { headers: caller.headers, redirect: 'manual' });
      const signedIn = caller.session && caller.level !== 'none';
      // Pages are for browsers: a token opens none of them.
      const dashboard = `/?q=${encodeURIComponent(target.email)}`;
      for (const path of [dashboard, '/activity', '/account', '/account/sessions']) {
        const response = await get(path);
        expect(response.status, `GET ${path}`).toBe(signedIn ? 200 : 307);
        if (!signedIn) expect(response.headers.get('location'), `GET ${path}`).toBe('/login');
        if (path === dashboard && signedIn) {
          const html = await response.text();
          expect(html, 'the target is listed').toContain('Matrix Page Target');
          expect(html.includes('aria-label="Add a user"'), 'the create form').toBe(atLeast(caller.level, 'write'));
          expect(html.includes('aria-label="Delete Matrix Page Target"'), 'the delete control').toBe(atLeast(caller.level, 'write'));
        }
      }
      const edit = await get(`/users/${target.id}/edit`);
      expect(edit.status, 'GET the edit page').toBe(signedIn && atLeast(caller.level, 'write') ? 200 : 307);
      if (edit.status === 307) expect(edit.headers.get('location')).toBe(signedIn ? '/' : '/login');
      else {
        const html = await edit.text();
        expect(html.includes('aria-label="End sessions of Matrix Page Target"'), 'End sessions is for admins').toBe(atLeast(caller.level, 'manage'));
        expect(html.includes('>Invite</button>'), 'Invite is for admins').toBe(atLeast(caller.level, 'manage'));
      }
      const login = await get('/login');
      expect(login.status, 'GET /login').toBe(signedIn ? 307 : 200);
      expect((await get('/invite/not-a-link')).status, 'GET an invite page').toBe(200);
    });

    it.each(CALLERS)('%s: every write action, posted as a crafted form', async (name) => {
      const caller = callers.get(name)!;
      const target = await made({ name: 'Matrix Form Target', email: uniqueEmail('form-target'), role: 'viewer' });
      const victim = await made({ name: 'Matrix Form Victim', email: uniqueEmail('form-victim') });
      // The forms as the first admin's browser has them.
      const asAdmin = async (path: string) => (await fetch(`${url()}${path}`, { headers: { Cookie: adminCookie } })).text();
      const dashboard = await asAdmin(`/?q=${encodeURIComponent(victim.email)}`);
      const editPage = await asAdmin(`/users/${target.id}/edit`);
      const createForm = findForm(dashboard, (f) => f.includes('aria-label="Add a user"'));
      const deleteForm = findForm(dashboard, (f) => f.includes(`name="id" value="${victim.id}"`));
      const editForm = findForm(editPage, (f) => f.includes('aria-label="Edit Matrix Form Target"'));
      const inviteForm = findForm(editPage, (f) => f.includes('>Invite</button>'));
      const endForm = findForm(editPage, (f) => f.includes('End sessions of'));

      // Sent with this caller's credentials, from this site, each from an address of its own.
      const post = (path: string, form: string, values: Record<string, string> = {}) =>
        submitForm(`${url()}${path}`, form, values, { headers: { ...caller.headers, Origin: url(), 'X-Forwarded-For': clientAddress() }, redirect: 'manual' });
      const createdEmail = uniqueEmail('form-made');
      const answers = {
        create: await post('/', createForm, { name: 'Form Made', email: createdEmail }),
        edit: await post(`/users/${target.id}/edit`, editForm, { name: 'Form Renamed', email: target.email, role: 'editor' }),
        invite: await post(`/users/${target.id}/edit`, inviteForm),
        end: await post(`/users/${target.id}/edit`, endForm),
        remove: await post('/', deleteForm),
      };
      const signedIn = caller.session && caller.level !== 'none';
      for (const [action, response] of Object.entries(answers)) {
        if (!signedIn) {
          // No session (a token is not one): the action sends the browser to sign in.
          expect(response.status, action).toBe(303);
          expect(response.headers.get('location'), action).toMatch(/^\/login/);
          continue;
        }
        const onEditPage = action !== 'create' && action !== 'remove';
        if (!atLeast(caller.level, 'write') && onEditPage) {
          // The edit page is not a viewer's: refused, and sent back to the directory.
          expect(response.status, action).toBe(307);
          expect(response.headers.get('location'), action).toBe('/');
          continue;
        }
        expect([200, 303], action).toContain(response.status);
        const shown = (await response.text()).replaceAll('&#x27;', "'");
        if (!atLeast(caller.level, 'write')) expect(shown, `${action}: the form says why`).toContain(VIEWER_MESSAGE);
        else if (!atLeast(caller.level, 'manage') && onEditPage) {
          // An editor's edit asks for a role change, so all of it is refused.
          expect(shown, `${action}: the form says why`).toContain(action === 'invite' ? INVITES_ADMINS_ONLY : ADMINS_ONLY_MESSAGE);
        }
      }

      const after = (await current(target.id))!;
      expect(after.name).toBe(atLeast(caller.level, 'manage') && signedIn ? 'Form Renamed' : target.name);
      expect(after.role).toBe(atLeast(caller.level, 'manage') && signedIn ? 'editor' : 'viewer');
      expect(await current(victim.id)).toEqual(atLeast(caller.level, 'write') && signedIn ? null : victim);
      expect((await listPage(url(), { q: createdEmail })).total).toBe(atLeast(caller.level, 'write') && signedIn ? 1 : 0);
      const activity = (await (await fetch(`${url()}/api/activity?user=${target.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      const kinds = new Set(activity.entries.map((entry) => entry.kind));
      expect(kinds.has('invited'), 'invited').toBe(atLeast(caller.level, 'manage') && signedIn);
      expect(kinds.has('sessions ended'), 'sessions ended').toBe(atLeast(caller.level, 'manage') && signedIn);
    });

    // Last, as it leaves one admin: the matrix's own admin goes.
    it('keeps the last admin: demoting or deleting them answers 409 and changes nothing', async () => {
      const admins = await listPage(url(), { role: 'admin', limit: 200 });
      const [first, ...others] = [...admins.users].sort((a, b) => a.id - b.id);
      for (const other of others) expect((await fetch(`${url()}/api/users/${other.id}`, { method: 'DELETE', headers: authHeaders() })).status).toBe(204);
      const demote = await patchUser(url(), first!.id, { role: 'editor' }, first!.version);
      expect(demote.status).toBe(409);
      expect((await demote.json()) as unknown).toEqual({ error: 'Conflict', fieldErrors: { role: [LAST_ADMIN_MESSAGE] } });
      expect((await fetch(`${url()}/api/users/${first!.id}`, { method: 'DELETE', headers: authHeaders() })).status).toBe(409);
      expect(await current(first!.id)).toEqual(first);
    });
  });
}
