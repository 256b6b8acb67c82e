// Undoing a delete, through the REST API of a real `npm start` on SQLite and on PostgreSQL:
// POST /api/users/{id}/restore brings the user back as their delete recorded them (same id, name,
// email, role and created time), their history going on with "restored", live on every stream,
// found by search and counted; refused when they are back already (409), when their email is
// someone else's now (409, nothing written), when the log holds no delete of them (404), to a
// viewer (403) and to an editor for someone with a role (403); and still there after a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { ADMINS_ONLY_MESSAGE, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { type Auth, authHeaders, deleteUser, fetchUser, listPage, postUser, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { type PostgresTestServer, startServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { SseClient } from '../support/sse';

const TOKENS = {
  viewer: { bearer: 'viewer-token-0123456789' },
  editor: { bearer: 'editor-token-0123456789' },
} satisfies Record<string, Auth>;
const env = { API_TOKENS: 'watcher:viewer-token-0123456789:viewer, writer:editor-token-0123456789:editor' };

type ErrorBody = { error: string; fieldErrors?: Record<string, string[]> };

function restoreContract(server: () => TestServer | PostgresTestServer) {
  const url = () => server().url;

  const restore = (id: number | string, auth: Auth = 'token') =>
    fetch(`${url()}/api/users/${id}/restore`, { method: 'POST', headers: { ...authHeaders(auth), 'Content-Type': 'application/json' } });

  async function created(body: Record<string, unknown>): Promise<UserDTO> {
    const response = await postUser(url(), body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as UserDTO;
  }

  async function deleted(body: Record<string, unknown>): Promise<UserDTO> {
    const user = await created(body);
    expect((await deleteUser(url(), user.id)).status).toBe(204);
    return user;
  }

  async function history(id: number): Promise<string[]> {
    const response = await fetch(`${url()}/api/activity?user=${id}`, { headers: authHeaders() });
    return ((await response.json()) as ActivityPageDTO).entries.map((entry) => entry.kind);
  }

  it('brings a deleted user back as they were, live on the stream, found and counted', async () => {
    const tag = `restore${Date.now().toString(36)}`;
    const user = await deleted({ name: `Ada ${tag}`, email: uniqueEmail(tag), role: 'editor' });
    expect((await fetchUser(url(), user.id)).status).toBe(404);
    const stream = await SseClient.connect(`${url()}/events`);
    expect((await stream.next()).event).toBe('connected');
    try {
      const response = await restore(user.id);
      expect(response.status, await response.clone().text()).toBe(201);
      const restored = (await response.json()) as UserDTO;
      // As deleted, but for when it last changed and the version: an edit begun before the delete
      // names the old version, and is stale now rather than applied.
      expect(restored).toEqual({ ...user, updatedAt: expect.any(String), version: user.version + 1 });
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(restored);
      const frame = await stream.next();
      expect(frame.event).toBe('user_restored');
      expect(JSON.parse(frame.data)).toEqual(restored);
    } finally {
      stream.close();
    }
    const page = await listPage(url(), { q: tag });
    expect(page.users.map((found) => found.id)).toEqual([user.id]);
    expect(page.total).toBe(1);
    expect(await history(user.id)).toEqual(['restored', 'deleted', 'created']);
  });

  it('refuses a user who is back already, and an id with no delete on record, changing nothing', async () => {
    const user = await deleted({ name: 'Back Twice', email: uniqueEmail('twice') });
    expect((await restore(user.id)).status).toBe(201);
    const again = await restore(user.id);
    expect(again.status).toBe(409);
    expect(((await again.json()) as ErrorBody).error).toBe('This user is in the directory already.');
    const present = await created({ name: 'Never Deleted', email: uniqueEmail('never') });
    expect((await restore(present.id)).status).toBe(409);
    const unknown = await restore(2 ** 31 - 2);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error).toMatch(/No deleted user with id/);
    expect((await restore('not-an-id')).status).toBe(404);
    expect(await history(user.id)).toEqual(['restored', 'deleted', 'created']);
  });

  it('says whose email stands in the way, and writes nothing', async () => {
    const email = uniqueEmail('taken');
    const user = await deleted({ name: 'First Owner', email });
    const newcomer = await created({ name: 'Second Owner', email });
    const response = await restore(user.id);
    expect(response.status).toBe(409);
    const body = (await response.json()) as ErrorBody;
    expect(body.fieldErrors?.email).toEqual([`${email} belongs to another user now.`]);
    expect(body.error).toBe(`First Owner cannot come back: ${email} belongs to another user now.`);
    expect((await fetchUser(url(), user.id)).status).toBe(404);
    expect(await (await fetchUser(url(), newcomer.id)).json()).toEqual(newcomer);
    expect(await history(user.id)).toEqual(['deleted', 'created']);
  });

  it('is a write: refused to a viewer; for someone with a role, only an admin restores them', async () => {
    const plain = await deleted({ name: 'No Access', email: uniqueEmail('plain') });
    const admin = await deleted({ name: 'Had Access', email: uniqueEmail('access'), role: 'admin' });
    const byViewer = await restore(plain.id, TOKENS.viewer);
    expect(byViewer.status).toBe(403);
    expect(await byViewer.json()).toEqual({ error: VIEWER_MESSAGE });
    const byEditor = await restore(admin.id, TOKENS.editor);
    expect(byEditor.status).toBe(403);
    expect(await byEditor.json()).toEqual({ error: ADMINS_ONLY_MESSAGE });
    expect((await fetchUser(url(), admin.id)).status).toBe(404);
    expect((await restore(plain.id, TOKENS.editor)).status).toBe(201);
    expect((await restore(admin.id)).status).toBe(201);
  });

  it('restores from the log after a restart', async () => {
    const user = await deleted({ name: 'Across Restarts', email: uniqueEmail('restart') });
    await server().restart({ env });
    const response = await restore(user.id);
    expect(response.status).toBe(201);
    expect(((await response.json()) as UserDTO).id).toBe(user.id);
  });
}

describe('restoring a deleted user on SQLite', () => {
  let server: TestServer | PostgresTestServer;
  beforeAll(async () => {
    server = await startServer({ env });
  });
  afterAll(() => server?.stop());
  restoreContract(() => server);
});

describe.skipIf(!(await servicesUp('postgres')))('restoring a deleted user on PostgreSQL', () => {
  let database: TestDatabase;
  let server: TestServer | PostgresTestServer;
  beforeAll(async () => {
    database = await freshDatabase('restore');
    server = await startServer({ databaseUrl: database.url, env });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });
  restoreContract(() => server);
});
