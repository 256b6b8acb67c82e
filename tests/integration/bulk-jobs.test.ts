// POST /api/jobs/delete on a real `npm start`, over SQLite and PostgreSQL: a whole view deleted as a
// job — users added after the view was seen are left alone, dashboards get progress frames (never a
// frame per user), the activity lists it once and each user's history names it, and a user it
// deleted can be restored, and the whole delete too (as a job, reporting who cannot come back); a list of ids under the one-at-a-time rules (an editor's job leaves people
// with a role, reported by id); bad selections are 400s that start nothing; viewers get 403.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDTO, ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { authHeaders, createUser, eventually, fetchUser, listPage, postUser, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type PostgresTestServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { SseClient } from '../support/sse';

const pgUp = await servicesUp('postgres');
const VIEWER = 'bulk-jobs-viewer-token-0123456789';
const EDITOR = 'bulk-jobs-editor-token-0123456789';
/** More than a batch (250 users on SQLite, 1,000 on PostgreSQL), so the job crosses batches and sends progress more than once. */
const MANY = 1_200;

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`bulk delete jobs on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;

    beforeAll(async () => {
      const env = { API_TOKENS: `looker:${VIEWER}:viewer,writer:${EDITOR}:editor` };
      if (database === 'PostgreSQL') pg = await freshDatabase('bulkjobs');
      server = pg ? await startServer({ databaseUrl: pg.url, env }) : await startServer({ env });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    const post = (path: string, body: unknown, headers = authHeaders()) =>
      fetch(`${server.url}${path}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const job = async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders() })).json()) as JobDTO;
    const finished = (id: string) => eventually(() => job(id), (state) => ['done', 'cancelled', 'failed'].includes(state.state), 60_000);
    async function started(body: unknown, headers = authHeaders()): Promise<JobDTO> {
      const response = await post('/api/jobs/delete', body, headers);
      expect(response.status, await response.clone().text()).toBe(202);
      expect(response.headers.get('location')).toMatch(/^\/api\/jobs\//);
      return ((await response.json()) as { job: JobDTO }).job;
    }
    /** `count` users named after `tag`, made by an import (one job, not `count` requests). */
    async function imported(tag: string, count: number): Promise<void> {
      const csv = ['name,email', ...Array.from({ length: count }, (_, i) => `${tag} ${i},${tag}-${i}@example.com`)].join('\n');
      const response = await fetch(`${server.url}/api/users/import?fileName=${tag}.csv`, { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'text/csv' }, body: csv });
      expect(response.status).toBe(202);
      expect(await finished(((await response.json()) as { job: JobDTO }).job.id)).toMatchObject({ state: 'done', created: count });
    }

    it('deletes a view as seen, in batches with progress frames, leaving users added after it; one activity entry; restorable', async () => {
      const tag = uniqueEmail('view').split('@')[0]!;
      await imported(tag, MANY);
      const seen = await listPage(server.url, { q: tag });
      expect(seen.total).toBe(MANY);
      const later = await createUser(server.url, `${tag} later`, `${tag}-later@example.com`);
      const other = await createUser(server.url, 'Not In The View', uniqueEmail('other'));
      const stream = await SseClient.connect(`${server.url}/events`);
      let jobId = '';
      try {
        await stream.next(); // connected
        const queued = await started({ q: tag, role: '', atEventId: seen.lastEventId, total: seen.total });
        expect(queued).toMatchObject({ kind: 'delete', state: 'queued', bytes: MANY, fileName: `users matching “${tag}”` });
        jobId = queued.id;
        const done = await finished(queued.id);
        expect(done).toMatchObject({ kind: 'delete', state: 'done', deleted: MANY, failed: 0, read: MANY });
        // What is left of the view: the user added after it was seen. Everyone else is untouched.
        expect((await listPage(server.url, { q: tag })).users.map((user) => user.id)).toEqual([later.id]);
        expect((await fetchUser(server.url, other.id)).status).toBe(200);

        const frames = await eventually(
          async () => stream.messages.filter((message) => message.event === 'users_imported' && (JSON.parse(message.data) as { importId: string }).importId === done.id),
          (found) => found.some((frame) => (JSON.parse(frame.data) as { job: JobDTO }).job.state === 'done'),
        );
        const progress = frames.map((frame) => JSON.parse(frame.data) as { deleted: number; job: JobDTO });
        expect(progress.reduce((sum, frame) => sum + frame.deleted, 0)).toBe(MANY);
        // A frame sent while it ran counts fewer than all: the job crossed batches.
        expect(progress.some((frame) => frame.job.state === 'running' && frame.deleted < MANY)).toBe(true);
        expect(stream.messages.filter((message) => message.event === 'user_deleted')).toEqual([]);
      } finally {
        stream.close();
      }

      const activity = (await (await fetch(`${server.url}/api/activity?limit=5`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      expect(activity.entries.filter((entry) => entry.kind === 'imported' && entry.job.id === jobId)).toHaveLength(1);
      expect(activity.entries.some((entry) => entry.kind === 'deleted' && entry.user.email.startsWith(`${tag}-`))).toBe(false);
      // The entry's users (`?job=`, the entry's "See the 1,200 users"): each once, a page at a time, newest first.
      const ofJob: ActivityDTO[] = [];
      for (let cursor = ''; ; ) {
        const page = (await (await fetch(`${server.url}/api/activity?job=${jobId}&limit=200${cursor}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
        ofJob.push(...page.entries);
        if (!page.nextCursor) break;
        cursor = `&cursor=${page.nextCursor}`;
      }
      expect(ofJob).toHaveLength(MANY);
      expect(ofJob.every((entry) => entry.kind === 'deleted' && entry.importedFrom?.jobId === jobId && entry.user.email.startsWith(`${tag}-`))).toBe(true);
      expect(new Set(ofJob.map((entry) => entry.kind !== 'imported' && entry.user.id)).size).toBe(MANY);
      expect(ofJob.map((entry) => entry.id)).toEqual(ofJob.map((entry) => entry.id).sort((a, b) => b - a));

      // One of them, by its history: deleted by the job; and back with the same id and created time.
      const seenUser = seen.users[7]!;
      expect((await fetchUser(server.url, seenUser.id)).status).toBe(404);
      const history = (await (await fetch(`${server.url}/api/activity?user=${seenUser.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      expect(history.entries[0]).toMatchObject({ kind: 'deleted', importedFrom: { fileName: `users matching “${tag}”`, kind: 'delete' } });
      const back = await post(`/api/users/${seenUser.id}/restore`, {});
      expect(back.status).toBe(201);
      expect((await back.json()) as UserDTO).toMatchObject({ id: seenUser.id, email: seenUser.email, createdAt: seenUser.createdAt });

      // Restore on the bulk delete's activity entry brings back the rest, as a job: the one back
      // already and one whose email is taken meanwhile are reported, the others return as they were.
      const taker = seen.users[3]!;
      expect((await postUser(server.url, { name: 'Email Taker', email: taker.email })).status).toBe(201);
      const entry = activity.entries.find((item) => item.kind === 'imported' && item.job.id === jobId)!;
      const watcher = await SseClient.connect(`${server.url}/events`);
      try {
        await watcher.next();
        const response = await post('/api/jobs/restore', { eventId: entry.id });
        expect(response.status, await response.clone().text()).toBe(202);
        const restored = await finished(((await response.json()) as { job: JobDTO }).job.id);
        expect(restored).toMatchObject({ kind: 'restore', state: 'done', restored: MANY - 2, failed: 2, bytes: MANY });
        const report = parse(await (await fetch(`${server.url}/api/jobs/${restored.id}/report`, { headers: authHeaders() })).text(), { bom: true }) as string[][];
        expect(report.slice(1).sort()).toEqual(
          [
            [String(seenUser.id), 'id', 'This user is in the directory already.'],
            [String(taker.id), 'email', `${taker.name} cannot come back: ${taker.email} belongs to another user now.`],
          ].sort(),
        );
        const now = await listPage(server.url, { q: tag, sort: 'createdAt', order: 'desc', limit: 50 });
        // All but the one whose email was taken, plus the one added later and the Email Taker (whose email matches too).
        expect(now.total).toBe(MANY - 1 + 2);
        for (const user of seen.users.filter((user) => user.id !== taker.id)) {
          expect(((await (await fetchUser(server.url, user.id)).json()) as UserDTO)).toMatchObject({ id: user.id, email: user.email, createdAt: user.createdAt, role: user.role });
        }
        expect(watcher.messages.filter((message) => message.event === 'user_restored')).toEqual([]);
        expect(watcher.messages.some((message) => message.event === 'users_imported' && (JSON.parse(message.data) as { importId: string }).importId === restored.id)).toBe(true);
        const history = (await (await fetch(`${server.url}/api/activity?user=${seen.users[0]!.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
        expect(history.entries.map((item) => item.kind)).toEqual(['restored', 'deleted', 'created']);
      } finally {
        watcher.close();
      }
    }, 120_000);

    it('deletes a list of ids by the one-at-a-time rules: an editor’s job leaves people with a role, reported by id', async () => {
      const plain = await createUser(server.url, 'Plain Listed', uniqueEmail('plain'));
      const roled = (await (await postUser(server.url, { name: 'Roled Listed', email: uniqueEmail('roled'), role: 'viewer' })).json()) as UserDTO;
      const done = await finished((await started({ ids: [plain.id, roled.id, plain.id, 2 ** 30] }, authHeaders({ bearer: EDITOR }))).id);
      expect(done).toMatchObject({ state: 'done', read: 2, deleted: 1, failed: 1, fileName: '3 selected users' });
      expect((await fetchUser(server.url, plain.id)).status).toBe(404);
      expect((await fetchUser(server.url, roled.id)).status).toBe(200);
      const report = parse(await (await fetch(`${server.url}/api/jobs/${done.id}/report`, { headers: authHeaders({ bearer: EDITOR }) })).text(), { bom: true }) as string[][];
      expect(report).toEqual([
        ['userId', 'field', 'message'],
        [String(roled.id), 'role', 'Only an admin can give, change or take away access.'],
      ]);
    });

    it('changes the role of a view as seen (admins only), one edit per user, the last admin kept', async () => {
      const tag = uniqueEmail('role').split('@')[0]!;
      await imported(tag, 600);
      const seen = await listPage(server.url, { q: tag });
      const later = await createUser(server.url, `${tag} later`, `${tag}-later@example.com`);
      const stream = await SseClient.connect(`${server.url}/events`);
      let done: JobDTO;
      try {
        await stream.next(); // connected
        const response = await post('/api/jobs/role', { q: tag, role: '', atEventId: seen.lastEventId, total: seen.total, to: 'viewer' });
        expect(response.status, await response.clone().text()).toBe(202);
        done = await finished(((await response.json()) as { job: JobDTO }).job.id);
        expect(done).toMatchObject({ kind: 'role', state: 'done', updated: 600, unchanged: 0, failed: 0, fileName: `users matching “${tag}” → Viewer` });
        await eventually(
          async () => stream.messages.filter((message) => message.event === 'users_imported' && (JSON.parse(message.data) as { job: JobDTO }).job.id === done.id),
          (frames) => frames.some((frame) => (JSON.parse(frame.data) as { job: JobDTO }).job.state === 'done'),
        );
        expect(stream.messages.filter((message) => message.event === 'user_updated')).toEqual([]);
      } finally {
        stream.close();
      }
      expect((await listPage(server.url, { q: tag, role: 'viewer' })).total).toBe(600);
      expect(((await (await fetchUser(server.url, later.id)).json()) as UserDTO).role).toBe('none');
      const someone = seen.users[0]!;
      const history = (await (await fetch(`${server.url}/api/activity?user=${someone.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      expect(history.entries[0]).toMatchObject({ kind: 'edited', changes: [{ field: 'role', from: 'none', to: 'viewer' }], importedFrom: { jobId: done.id, kind: 'role' } });
      // Again: everyone has it already, so nothing changes.
      const again = await finished(((await (await post('/api/jobs/role', { ids: seen.users.map((user) => user.id), to: 'viewer' })).json()) as { job: JobDTO }).job.id);
      expect(again).toMatchObject({ updated: 0, unchanged: seen.users.length });

      // Every admin made a viewer: all but the last.
      const admins = (await listPage(server.url, { role: 'admin', limit: 200 })).users;
      const demoted = await finished(((await (await post('/api/jobs/role', { ids: admins.map((user) => user.id), to: 'viewer' })).json()) as { job: JobDTO }).job.id);
      expect(demoted).toMatchObject({ updated: admins.length - 1, failed: 1 });
      expect((await listPage(server.url, { role: 'admin' })).total).toBe(1);

      // Editors may not; a bad role is a 400 naming `to`.
      expect((await post('/api/jobs/role', { ids: [someone.id], to: 'admin' }, authHeaders({ bearer: EDITOR }))).status).toBe(403);
      const bad = await post('/api/jobs/role', { ids: [someone.id], to: 'owner' });
      expect(bad.status).toBe(400);
      expect(Object.keys(((await bad.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors)).toEqual(['to']);
      expect(((await (await fetchUser(server.url, someone.id)).json()) as UserDTO).role).toBe('viewer');
    }, 120_000);

    it('refuses a bad selection with a 400 that names the field, and a viewer with a 403; nothing starts', async () => {
      const kept = await createUser(server.url, 'Kept Safe', uniqueEmail('kept'));
      const { lastEventId } = await listPage(server.url);
      const cases: [unknown, string][] = [
        [{}, 'atEventId'],
        [{ ids: [] }, 'ids'],
        [{ ids: ['1'] }, 'ids'],
        [{ ids: [kept.id], extra: true }, ''],
        [{ q: 'x'.repeat(101), atEventId: lastEventId }, 'q'],
        [{ q: 'kept', role: 'owner', atEventId: lastEventId }, 'role'],
        [{ q: 'kept', atEventId: -1 }, 'atEventId'],
        [{ q: 'kept', atEventId: lastEventId + 1_000_000 }, 'atEventId'],
      ];
      for (const [body, field] of cases) {
        const response = await post('/api/jobs/delete', body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        const answer = (await response.json()) as { fieldErrors: Record<string, string[]> };
        if (field) expect(Object.keys(answer.fieldErrors), JSON.stringify(body)).toContain(field);
      }
      expect((await post('/api/jobs/delete', 'not json')).status).toBe(400);
      // A restore names a delete's activity entry: not a create's, not one that does not exist.
      for (const eventId of [lastEventId, lastEventId + 1_000_000, '1', 0]) {
        const response = await post('/api/jobs/restore', { eventId });
        expect(response.status, String(eventId)).toBe(400);
        expect(Object.keys(((await response.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors)).toEqual(['eventId']);
      }
      // A job's users are asked for by the job's id.
      const notAJob = await fetch(`${server.url}/api/activity?job=not-a-job`, { headers: authHeaders() });
      expect(notAJob.status).toBe(400);
      expect(Object.keys(((await notAJob.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors)).toEqual(['job']);
      // …and alone: a user's history and a job's users are two lists.
      const both = await fetch(`${server.url}/api/activity?user=${kept.id}&job=${crypto.randomUUID()}`, { headers: authHeaders() });
      expect(both.status).toBe(400);
      expect(((await both.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors).toEqual({ job: ['Ask for one user’s changes or one job’s users, not both'] });
      expect((await post('/api/jobs/delete', { ids: [kept.id] }, authHeaders({ bearer: VIEWER }))).status).toBe(403);
      expect((await post('/api/jobs/delete', { ids: [kept.id] }, {})).status).toBe(401);
      expect((await fetchUser(server.url, kept.id)).status).toBe(200);
    });
  });
}

// A bulk action counts against the writer's allowance by its size: the request is one write and each
// further USERS_PER_WRITE (1,000) users begun one more; past the allowance the job waits for it (and
// can be cancelled meanwhile) instead of going round it.
for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`a bulk delete's cost on ${database}`, () => {
    const MAKER = 'bulk-jobs-maker-token-0123456789';
    const EDITOR_ONE = 'bulk-jobs-one-editor-token-0123456789';
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;

    beforeAll(async () => {
      const env = { API_TOKENS: `maker:${MAKER}:admin,one-editor:${EDITOR_ONE}:editor`, RATE_LIMIT_WRITES_PER_MIN: '1' };
      if (database === 'PostgreSQL') pg = await freshDatabase('bulkcost');
      server = pg ? await startServer({ databaseUrl: pg.url, env }) : await startServer({ env });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    it('takes a write per 1,000 users: with an allowance of one, it stops at 1,000 and waits until cancelled', async () => {
      const tag = uniqueEmail('cost').split('@')[0]!;
      const csv = ['name,email', ...Array.from({ length: 1_500 }, (_, i) => `${tag} ${i},${tag}-${i}@example.com`)].join('\n');
      const made = await fetch(`${server.url}/api/users/import?fileName=cost.csv`, { method: 'POST', headers: { ...authHeaders({ bearer: MAKER }), 'Content-Type': 'text/csv' }, body: csv });
      expect(made.status).toBe(202);
      const jobOf = async (id: string, token?: string) => (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders(token ? { bearer: token } : 'token') })).json()) as JobDTO;
      const importId = ((await made.json()) as { job: JobDTO }).job.id;
      await eventually(() => jobOf(importId, MAKER), (job) => job.state === 'done', 60_000);
      const { lastEventId } = await listPage(server.url, { q: tag });

      const response = await fetch(`${server.url}/api/jobs/delete`, {
        method: 'POST',
        headers: { ...authHeaders(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ q: tag, atEventId: lastEventId }),
      });
      expect(response.status).toBe(202);
      const { job } = (await response.json()) as { job: JobDTO };
      // The first 1,000 go on the request's write; the 1,001st needs another, which a minute refills.
      const waiting = await eventually(() => jobOf(job.id), (state) => state.deleted === 1_000, 30_000);
      expect(waiting.state).toBe('running');
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(await jobOf(job.id)).toMatchObject({ state: 'running', deleted: 1_000 });
      // Its own writes are spent too: the writer's next request is refused.
      expect((await fetch(`${server.url}/api/users`, { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'One More', email: uniqueEmail('more') }) })).status).toBe(429);
      expect((await fetch(`${server.url}/api/jobs/${job.id}/cancel`, { method: 'POST', headers: authHeaders() })).status).toBe(202);
      const cancelled = await eventually(() => jobOf(job.id), (state) => state.state === 'cancelled', 10_000);
      expect(cancelled.deleted).toBe(1_000);
      expect((await listPage(server.url, { q: tag })).total).toBe(500);
    }, 120_000);

    it('refuses what only admins may do before counting it: an editor’s refused requests leave their one write', async () => {
      const editor = authHeaders({ bearer: EDITOR_ONE });
      // Refused before the user is looked up: any id will do.
      const someone = { id: 1 };
      const refusals = [
        () => fetch(`${server.url}/api/jobs/role`, { method: 'POST', headers: { ...editor, 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [someone.id], to: 'admin' }) }),
        () => fetch(`${server.url}/api/users/${someone.id}/invite`, { method: 'POST', headers: editor }),
        () => fetch(`${server.url}/api/users/${someone.id}/sessions`, { method: 'DELETE', headers: editor }),
      ];
      for (const refused of [...refusals, ...refusals]) {
        const response = await refused();
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: string }).error).toMatch(/^Only an admin can/);
      }
      // Six refusals later, the editor's allowance of one write a minute is still there; the next is not.
      const create = () => fetch(`${server.url}/api/users`, { method: 'POST', headers: { ...editor, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'Editor Write', email: uniqueEmail('editor-write') }) });
      expect((await create()).status).toBe(201);
      expect((await create()).status).toBe(429);
    });
  });
}
