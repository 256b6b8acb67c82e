// Roles, through the REST API of a real `npm start` on its own SQLite file: what each API token's
// role may do (viewer, editor, admin; API_TOKEN is an admin, as it always had full access), the
// admin-only access changes, the last admin kept, and the directory filtered by role, kept live.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { ADMINS_ONLY_MESSAGE, LAST_ADMIN_MESSAGE, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { type Auth, authHeaders, deleteUser, fetchUser, listPage, patchUser, postUser, uniqueEmail } from '../support/api';
import { startServer, type TestServer } from '../support/server';
import { ADMIN_EMAIL } from '../support/secrets';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const TOKENS = {
  viewer: { bearer: 'viewer-token-0123456789' },
  editor: { bearer: 'editor-token-0123456789' },
  admin: { bearer: 'admin-token-0123456789' },
} satisfies Record<string, Auth>;

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { API_TOKENS: 'watcher:viewer-token-0123456789:viewer, writer:editor-token-0123456789, boss:admin-token-0123456789:admin' },
  });
});
afterAll(() => server?.stop());

const url = () => server.url;

async function created(body: Record<string, unknown>, auth: Auth = 'token'): Promise<UserDTO> {
  const response = await postUser(url(), body, { auth });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as UserDTO;
}

async function current(id: number): Promise<UserDTO | null> {
  const response = await fetchUser(url(), id);
  return response.status === 404 ? null : ((await response.json()) as UserDTO);
}

async function activityOf(id: number): Promise<ActivityPageDTO> {
  const response = await fetch(`${url()}/api/activity?user=${id}`, { headers: authHeaders() });
  return (await response.json()) as ActivityPageDTO;
}

describe('/api/metrics', () => {
  it('is for admins: a viewer or editor token gets 403 and a JSON error, an admin token the text', async () => {
    for (const auth of [TOKENS.viewer, TOKENS.editor]) {
      const response = await fetch(`${url()}/api/metrics`, { headers: { Authorization: `Bearer ${auth.bearer}` } });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: 'Metrics are for admins, admin tokens and METRICS_TOKEN' });
    }
    const admin = await fetch(`${url()}/api/metrics`, { headers: { Authorization: `Bearer ${TOKENS.admin.bearer}` } });
    expect(admin.status).toBe(200);
    expect(await admin.text()).toContain('# TYPE roster_sse_subscribers gauge');
  });
});

describe('a viewer token', () => {
  it('reads the directory, a user and the stream', async () => {
    const user = await created({ name: 'Seen Only', email: uniqueEmail('seen') });
    expect((await listPage(url(), {}, { auth: TOKENS.viewer })).users.some((u) => u.id === user.id)).toBe(true);
    expect((await fetchUser(url(), user.id, { auth: TOKENS.viewer })).status).toBe(200);
    const stream = await SseClient.connect(`${url()}/events`, {}, TOKENS.viewer);
    expect(stream.response.status).toBe(200);
    expect((await stream.next()).event).toBe('connected');
    stream.close();
  });

  it('is refused every write with 403 and a JSON error, and nothing changes', async () => {
    const user = await created({ name: 'Left Alone', email: uniqueEmail('alone') });
    const email = uniqueEmail('viewer-made');
    for (const response of [
      await postUser(url(), { name: 'By A Viewer', email }, { auth: TOKENS.viewer }),
      await patchUser(url(), user.id, { name: 'Changed' }, user.version, { auth: TOKENS.viewer }),
      await deleteUser(url(), user.id, { auth: TOKENS.viewer }),
    ]) {
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ error: VIEWER_MESSAGE });
    }
    expect(await current(user.id)).toEqual(user);
    expect((await listPage(url(), { q: email })).total).toBe(0);
  });
});

describe('an editor token', () => {
  it('creates (with no access), edits and deletes users', async () => {
    const user = await created({ name: 'Edited By Editor', email: uniqueEmail('ed') }, TOKENS.editor);
    expect(user.role).toBe('none');
    const edited = await patchUser(url(), user.id, { name: 'Edited Again' }, user.version, { auth: TOKENS.editor });
    expect(edited.status).toBe(200);
    expect((await deleteUser(url(), user.id, { auth: TOKENS.editor })).status).toBe(204);
    expect(await current(user.id)).toBeNull();
  });

  it('cannot give, change or take away access: 403, and nothing changes', async () => {
    const email = uniqueEmail('no-grant');
    const grant = await postUser(url(), { name: 'Wants Access', email, role: 'editor' }, { auth: TOKENS.editor });
    expect(grant.status).toBe(403);
    expect(await grant.json()).toEqual({ error: ADMINS_ONLY_MESSAGE });
    expect((await listPage(url(), { q: email })).total).toBe(0);

    const colleague = await created({ name: 'Has Access', email: uniqueEmail('has'), role: 'viewer' });
    const promote = await patchUser(url(), colleague.id, { role: 'admin' }, colleague.version, { auth: TOKENS.editor });
    expect(promote.status).toBe(403);
    expect((await deleteUser(url(), colleague.id, { auth: TOKENS.editor })).status).toBe(403);
    expect(await current(colleague.id)).toEqual(colleague);
    // The same role again is no change of access: the rest of the edit goes through.
    const same = await patchUser(url(), colleague.id, { name: 'Has Access Still', role: 'viewer' }, colleague.version, { auth: TOKENS.editor });
    expect(same.status).toBe(200);
  });
});

describe('an admin (API_TOKEN, or a token given the admin role)', () => {
  it('gives and changes roles, each an edit on record with what it was', async () => {
    const user = await created({ name: 'Grace Promoted', email: uniqueEmail('grace'), role: 'viewer' }, TOKENS.admin);
    expect(user.role).toBe('viewer');
    const response = await patchUser(url(), user.id, { role: 'editor' }, user.version);
    expect(response.status).toBe(200);
    const edited = (await response.json()) as UserDTO;
    expect(edited).toMatchObject({ role: 'editor', version: user.version + 1, name: user.name });
    const [latest] = (await activityOf(user.id)).entries;
    expect(latest).toMatchObject({ kind: 'edited', principal: 'token:API_TOKEN', changes: [{ field: 'role', from: 'viewer', to: 'editor' }] });
  });

  it('refuses a role that is not one, saying which field and why', async () => {
    const response = await postUser(url(), { name: 'Bad Role', email: uniqueEmail('bad'), role: 'owner' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ fieldErrors: { role: ['Role must be none, viewer, editor or admin'] } });
  });
});

describe('the last admin', () => {
  it('cannot be demoted or deleted (409) until someone else is an admin', async () => {
    // Every admin but the first (ADMIN_EMAIL's, made at start-up) goes: the first is then the only one.
    const admins = await listPage(url(), { role: 'admin', limit: 200 });
    for (const admin of admins.users) if (admin.email !== ADMIN_EMAIL) expect((await deleteUser(url(), admin.id)).status).toBe(204);
    const ada = admins.users.find((admin) => admin.email === ADMIN_EMAIL)!;
    expect((await listPage(url(), { role: 'admin' })).users).toEqual([ada]);

    const demote = await patchUser(url(), ada.id, { role: 'editor' }, ada.version);
    expect(demote.status).toBe(409);
    expect(await demote.json()).toEqual({ error: 'Conflict', fieldErrors: { role: [LAST_ADMIN_MESSAGE] } });
    expect((await deleteUser(url(), ada.id)).status).toBe(409);
    expect(await current(ada.id)).toEqual(ada);

    const grace = await created({ name: 'Grace Second Admin', email: uniqueEmail('grace'), role: 'admin' });
    expect((await patchUser(url(), ada.id, { role: 'viewer' }, ada.version)).status).toBe(200);
    expect((await deleteUser(url(), grace.id)).status).toBe(409);
    expect((await current(grace.id))?.role).toBe('admin');
    // The first admin again, for the tests after this one.
    expect((await patchUser(url(), ada.id, { role: 'admin' }, ada.version + 1)).status).toBe(200);
  });
});

describe('the directory filtered by role', () => {
  it('lists only that role, counts only it, and refuses a role that is not one', async () => {
    const tag = uniqueEmail('filter').split('@')[0];
    const made = await Promise.all(
      (['viewer', 'editor', 'none', 'viewer'] as const).map((role, i) => created({ name: `Filter ${tag} ${i}`, email: `${tag}-${i}@example.com`, role })),
    );
    const viewers = await listPage(url(), { q: tag, role: 'viewer' });
    expect(viewers.users.map((u) => u.id).sort()).toEqual([made[0]!.id, made[3]!.id].sort());
    expect(viewers.total).toBe(2);
    expect((await listPage(url(), { q: tag, role: 'none' })).users.map((u) => u.id)).toEqual([made[2]!.id]);
    expect((await listPage(url(), { q: tag })).total).toBe(4);
    const bad = await fetch(`${url()}/api/users?role=owner`, { headers: authHeaders() });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ fieldErrors: { role: ['role must be none, viewer, editor or admin'] } });
  });

  it('gives each role its own ETag, so a poll of one filter never gets the 304 of another', async () => {
    const [all, admins] = await Promise.all([fetch(`${url()}/api/users`, { headers: authHeaders() }), fetch(`${url()}/api/users?role=admin`, { headers: authHeaders() })]);
    expect(all.headers.get('etag')).not.toBe(admins.headers.get('etag'));
  });

  it('streams each change with the user\'s role, which a filtered page applies as it does a search', async () => {
    const stream = await SseClient.connect(`${url()}/events`);
    expect((await stream.next()).event).toBe('connected');
    const user = await created({ name: 'Streamed Role', email: uniqueEmail('streamed'), role: 'editor' });
    const message = await stream.next();
    stream.close();
    expect(message.event).toBe('user_created');
    expect(JSON.parse(message.data)).toEqual(user);
  });

  it('renders the dashboard of one role from the URL, with the filter chosen and the role in each row', async () => {
    const tag = uniqueEmail('dash').split('@')[0];
    const [editor] = await Promise.all([
      created({ name: `Dash ${tag} editor`, email: `${tag}-e@example.com`, role: 'editor' }),
      created({ name: `Dash ${tag} none`, email: `${tag}-n@example.com` }),
    ]);
    const cookie = await signIn(url());
    const html = await (await fetch(`${url()}/?q=${tag}&role=editor`, { headers: { Cookie: cookie } })).text();
    expect([...html.matchAll(/<tr[^>]*data-user-id="(\d+)"/g)].map((match) => Number(match[1]))).toEqual([editor!.id]);
    expect(html).toContain('1 user with the role Editor matches');
    expect(html).toMatch(/<option value="editor" selected="">Editor<\/option>/);
    expect(html).toContain('<label for="role-filter"');
  });
});
