// POST /api/users/import on a real `npm start`, over SQLite and PostgreSQL: a CSV runs as a job that
// creates and updates users by email in batches; failed rows go to a report and never stop it;
// the same file again changes nothing; an export imports back unchanged; cancel stops it between
// batches; the limits answer clearly and write nothing; the stream carries one progress frame a
// second at most, never a frame per row; the activity lists the import once.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { authHeaders, eventually, listPage, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type PostgresTestServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const pgUp = await servicesUp('postgres');
const VIEWER = 'import-viewer-token-0123456789';
const EDITOR = 'import-editor-token-0123456789';
const MAX_BYTES = 2 * 1024 * 1024;
const MAX_ROWS = 40_000;

type Answer = { status: number; body: { job?: JobDTO; error?: string; fieldErrors?: Record<string, string[]> } };

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`importing a CSV on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;

    beforeAll(async () => {
      const env = { API_TOKENS: `looker:${VIEWER}:viewer,writer:${EDITOR}:editor`, IMPORT_MAX_BYTES: String(MAX_BYTES), IMPORT_MAX_ROWS: String(MAX_ROWS) };
      if (database === 'PostgreSQL') pg = await freshDatabase('import');
      server = pg ? await startServer({ databaseUrl: pg.url, env }) : await startServer({ env });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    async function upload(body: string | Uint8Array<ArrayBuffer>, { type = 'text/csv', name = 'staff.csv', headers = authHeaders() }: { type?: string; name?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
      const response = await fetch(`${server.url}/api/users/import?fileName=${encodeURIComponent(name)}`, { method: 'POST', headers: { ...headers, 'Content-Type': type }, body });
      return { status: response.status, body: (await response.json()) as Answer['body'] };
    }
    const job = async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders() })).json()) as JobDTO;
    const finished = (id: string, timeoutMs = 60_000) => eventually(() => job(id), (state) => ['done', 'cancelled', 'failed'].includes(state.state), timeoutMs);
    async function imported(csv: string, name = 'staff.csv'): Promise<JobDTO> {
      const answer = await upload(csv, { name });
      expect(answer.status).toBe(202);
      return finished(answer.body.job!.id);
    }
    const report = async (id: string) => parse(await (await fetch(`${server.url}/api/jobs/${id}/report`, { headers: authHeaders() })).text(), { bom: true }) as string[][];
    const byEmail = async (email: string) => (await listPage(server.url, { q: email })).users.find((user) => user.email === email);

    it('creates and updates users by email; failed rows are reported by line and field and never stop it', async () => {
      const tag = uniqueEmail('imp').split('@')[0]!;
      const existing = `${tag}-existing@example.com`;
      await imported(`name,email\nBefore Import,${existing}\n`);
      const lines = [
        '\uFEFFName;Email;Department', // a BOM, semicolons, header case, a column Roster does not keep
        `Ada Lovelace;${tag}-ada@example.com;Maths`,
        `After Import;${existing.toUpperCase()};Ops`, // the same person: emails ignore case
        `;${tag}-noname@example.com;`, // line 4: no name
        `Bad Email;not-an-email;`, // line 5
        `"Hopper; Grace";${tag}-grace@example.com;`, // quoted separator
        `Ada Again;${tag}-ada@example.com;`, // line 7: a repeat of line 2
        `'=Formula;${tag}-formula@example.com;`, // an export's neutralised cell comes back as it was
      ];
      const done = await imported(lines.join('\r\n'));
      expect(done).toMatchObject({ state: 'done', kind: 'import', fileName: 'staff.csv', read: 7, created: 3, updated: 1, unchanged: 0, failed: 3, error: null });
      expect(await byEmail(`${tag}-grace@example.com`)).toMatchObject({ name: 'Hopper; Grace' });
      expect(await byEmail(`${tag}-formula@example.com`)).toMatchObject({ name: '=Formula' });
      expect(await byEmail(`${tag}-ada@example.com`)).toMatchObject({ name: 'Ada Lovelace' });
      expect(await byEmail(existing)).toMatchObject({ name: 'After Import', version: 2 });
      const [header, ...rows] = await report(done.id);
      expect(header).toEqual(['line', 'field', 'message']);
      expect(rows).toEqual([
        ['4', 'name', 'Name is required'],
        ['5', 'email', 'Enter a valid email address'],
        ['7', 'email', 'This email is on an earlier line of this file: the first one was imported'],
      ]);
    });

    it('changes nothing when the same file is imported again', async () => {
      const tag = uniqueEmail('again').split('@')[0]!;
      const csv = ['name,email', ...Array.from({ length: 2_500 }, (_, i) => `Again ${i},${tag}-${i}@example.com`)].join('\n');
      expect(await imported(csv)).toMatchObject({ state: 'done', read: 2_500, created: 2_500, updated: 0, failed: 0 });
      const before = await listPage(server.url, { q: tag, limit: 200 });
      const second = await imported(csv);
      expect(second).toMatchObject({ state: 'done', read: 2_500, created: 0, updated: 0, unchanged: 2_500, failed: 0 });
      const after = await listPage(server.url, { q: tag, limit: 200 });
      expect(after.users).toEqual(before.users);
    });

    it('imports an export of the whole directory back with nothing changed', async () => {
      const tag = uniqueEmail('round').split('@')[0]!;
      await imported(['name,email,role', `-Minus Sign,${tag}-1@example.com,viewer`, `"Comma, Quoted",${tag}-2@example.com,`, `@At,${tag}-3@example.com,none`].join('\n'));
      const exported = await (await fetch(`${server.url}/api/users/export`, { headers: authHeaders() })).text();
      const rows = exported.trim().split('\r\n').length - 1;
      const back = await imported(exported, 'roster-users.csv');
      expect(back).toMatchObject({ state: 'done', read: rows, created: 0, updated: 0, unchanged: rows, failed: 0 });
      expect(await byEmail(`${tag}-1@example.com`)).toMatchObject({ name: '-Minus Sign', role: 'viewer', version: 1 });
    });

    it('lets only admins give roles, and never takes the last admin', async () => {
      const tag = uniqueEmail('roles').split('@')[0]!;
      const byEditor = await upload(`name,email,role\nEd,${tag}-ed@example.com,editor\nPlain,${tag}-plain@example.com,\n`, { headers: authHeaders({ bearer: EDITOR }) });
      expect(byEditor.status).toBe(202);
      const done = await finished(byEditor.body.job!.id);
      expect(done).toMatchObject({ created: 1, failed: 1 });
      const refused = await fetch(`${server.url}/api/jobs/${done.id}/report`, { headers: authHeaders({ bearer: EDITOR }) });
      expect(await refused.text()).toContain('Only an admin can give, change or take away access.');
      const admins = (await listPage(server.url, { role: 'admin', limit: 200 })).users;
      const demoted = await imported(['name,email,role', ...admins.map((admin) => `${admin.name},${admin.email},viewer`)].join('\n'));
      expect(demoted.failed).toBeGreaterThanOrEqual(1);
      expect((await listPage(server.url, { role: 'admin' })).total).toBeGreaterThanOrEqual(1);
    });

    it('refuses what is not a CSV import with a clear error, and writes nothing', async () => {
      const before = (await listPage(server.url)).total;
      const viewer = await upload('name,email\nV,v@example.com\n', { headers: authHeaders({ bearer: VIEWER }) });
      expect(viewer.status).toBe(403);
      const noHeader = await upload('Ada Lovelace,ada@example.com\n');
      expect(noHeader.status).toBe(400);
      expect(noHeader.body.fieldErrors?.file?.[0]).toMatch(/header row naming the columns: name, email/);
      const binary = await upload(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      expect(binary.status).toBe(400);
      expect(binary.body.fieldErrors?.file?.[0]).toMatch(/not a CSV file/);
      const latin1 = await upload(new Uint8Array([...Buffer.from('name,email\nJos'), 0xe9, ...Buffer.from(',jose@example.com\n')]));
      expect(latin1.status).toBe(400);
      expect((await upload('name,email\n', { type: 'application/json' })).status).toBe(415);
      const tooLarge = await upload(`name,email\n${'x'.repeat(MAX_BYTES)}\n`);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.error).toMatch(/at most/);
      const anonymous = await upload('name,email\n', { headers: {} });
      expect(anonymous.status).toBe(401);
      expect((await listPage(server.url)).total).toBe(before);
    });

    it('stops at a line past the longest a row may be, keeping the whole rows before it', async () => {
      const tag = uniqueEmail('long').split('@')[0]!;
      const done = await imported(`name,email\nKept,${tag}-kept@example.com\n${'y'.repeat(1_100_000)},${tag}-long@example.com\nAfter,${tag}-after@example.com\n`);
      expect(done.state).toBe('failed');
      expect(done.error).toMatch(/line 3 is longer than 1 MB/);
      expect(await byEmail(`${tag}-kept@example.com`)).toBeDefined();
      expect(await byEmail(`${tag}-long@example.com`)).toBeUndefined();
      expect((await report(done.id)).at(-1)?.[2]).toMatch(/longer than 1 MB/);
    });

    it('stops past IMPORT_MAX_ROWS rows, keeping those before, and says where', async () => {
      const tag = uniqueEmail('max').split('@')[0]!;
      const done = await imported(['name,email', ...Array.from({ length: MAX_ROWS + 3 }, (_, i) => `M${i},${tag}-${i}@x.io`)].join('\n'));
      expect(done).toMatchObject({ state: 'failed', read: MAX_ROWS, created: MAX_ROWS, error: `The file has more than 40,000 rows: the rows after line ${MAX_ROWS + 1} were not read` });
      expect(await byEmail(`${tag}-${MAX_ROWS}@x.io`)).toBeUndefined();
    }, 60_000);

    it('shows a running import on its starter’s dashboard again after a reload', async () => {
      const cookie = await signIn(server.url);
      const tag = uniqueEmail('reload').split('@')[0]!;
      const response = await fetch(`${server.url}/api/users/import?fileName=reload.csv`, {
        method: 'POST',
        headers: { Cookie: cookie, Origin: server.url, 'Content-Type': 'text/csv' },
        body: ['name,email', ...Array.from({ length: 30_000 }, (_, i) => `Reload ${i},${tag}-${i}@example.com`)].join('\n'),
      });
      expect(response.status).toBe(202);
      const { job: started } = (await response.json()) as { job: JobDTO };
      const html = await (await fetch(server.url, { headers: { Cookie: cookie } })).text();
      expect(html).toMatch(/(Waiting to import|Importing) reload\.csv/);
      expect(html).toContain('Cancel import');
      expect(await finished(started.id)).toMatchObject({ state: 'done', created: 30_000 });
      const after = await (await fetch(server.url, { headers: { Cookie: cookie } })).text();
      expect(after).not.toContain('reload.csv');
    }, 60_000);

    it('cancels between batches: what was committed stays, and the report says so', async () => {
      const tag = uniqueEmail('cancel').split('@')[0]!;
      const csv = ['name,email', ...Array.from({ length: MAX_ROWS }, (_, i) => `Cancel ${i},${tag}-${i}@example.com`)].join('\n');
      const answer = await upload(csv);
      expect(answer.status).toBe(202);
      const id = answer.body.job!.id;
      await eventually(() => job(id), (state) => state.read > 0, 30_000);
      const cancel = await fetch(`${server.url}/api/jobs/${id}/cancel`, { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/json' }, body: '{}' });
      expect(cancel.status).toBe(202);
      const done = await finished(id);
      expect(done.state).toBe('cancelled');
      expect(done.created).toBeLessThan(MAX_ROWS);
      expect((await listPage(server.url, { q: tag })).total).toBe(done.created);
      expect((await report(id)).at(-1)?.[2]).toMatch(/^Cancelled after line \d+: the rows up to it were imported/);
    });

    it('cancels a queued import before it reads a row', async () => {
      const tag = uniqueEmail('queued').split('@')[0]!;
      const first = await upload(['name,email', ...Array.from({ length: 20_000 }, (_, i) => `First ${i},${tag}-a${i}@example.com`)].join('\n'));
      const second = await upload(`name,email\nNever,${tag}-never@example.com\n`);
      expect(second.body.job?.state).toBe('queued');
      const cancel = await fetch(`${server.url}/api/jobs/${second.body.job!.id}/cancel`, { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'application/json' }, body: '{}' });
      expect(((await cancel.json()) as JobDTO).id).toBe(second.body.job!.id);
      expect(await finished(second.body.job!.id)).toMatchObject({ state: 'cancelled', read: 0, created: 0, error: 'Cancelled before it started: nothing was imported' });
      expect(await finished(first.body.job!.id)).toMatchObject({ state: 'done', created: 20_000 });
      expect(await byEmail(`${tag}-never@example.com`)).toBeUndefined();
    });

    it('sends dashboards progress frames, at most one a second, never a frame per row; the activity lists it once', async () => {
      const stream = await SseClient.connect(`${server.url}/events`);
      try {
        await stream.next(); // connected
        const tag = uniqueEmail('frames').split('@')[0]!;
        const started = Date.now();
        const done = await imported(['name,email', ...Array.from({ length: 20_000 }, (_, i) => `Frame ${i},${tag}-${i}@example.com`)].join('\n'), 'frames.csv');
        const seconds = (Date.now() - started) / 1000;
        expect(done).toMatchObject({ state: 'done', created: 20_000 });
        const frames = await eventually(
          async () => stream.messages.filter((message) => message.event === 'users_imported' && JSON.parse(message.data).importId === done.id),
          (found) => found.some((frame) => JSON.parse(frame.data).job.state === 'done'),
        );
        expect(frames.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
        expect(stream.messages.filter((message) => message.event === 'user_created' && message.data.includes(tag))).toEqual([]);
        const summed = frames.map((frame) => JSON.parse(frame.data) as { created: number; upToEventId: number; job: JobDTO });
        expect(summed.reduce((sum, frame) => sum + frame.created, 0)).toBe(20_000);
        const activity = (await (await fetch(`${server.url}/api/activity?limit=5`, { headers: authHeaders() })).json()) as ActivityPageDTO;
        const entries = activity.entries.filter((entry) => entry.kind === 'imported' && entry.job.id === done.id);
        expect(entries).toHaveLength(1);
        expect(activity.entries.some((entry) => entry.kind !== 'imported' && entry.user.email.startsWith(tag))).toBe(false);
        const someone = (await listPage(server.url, { q: `${tag}-7@` })).users[0] as UserDTO;
        const history = (await (await fetch(`${server.url}/api/activity?user=${someone.id}`, { headers: authHeaders() })).json()) as ActivityPageDTO;
        expect(history.entries).toMatchObject([{ kind: 'created', principal: 'token:API_TOKEN', importedFrom: { jobId: done.id, fileName: 'frames.csv' } }]);
      } finally {
        stream.close();
      }
    }, 120_000);

    it('keeps a job to its starter and admins', async () => {
      const answer = await upload(`name,email\nMine,${uniqueEmail('mine')}\n`, { headers: authHeaders({ bearer: EDITOR }) });
      const id = answer.body.job!.id;
      expect((await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders({ bearer: VIEWER }) })).status).toBe(404);
      expect((await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders({ bearer: EDITOR }) })).status).toBe(200);
      expect((await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders() })).status).toBe(200);
      expect((await fetch(`${server.url}/api/jobs/not-a-job`, { headers: authHeaders() })).status).toBe(404);
    });
  });
}
