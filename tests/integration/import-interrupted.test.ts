// An import whose server dies mid-way (kill -9, then the server comes back on the same database),
// over SQLite and PostgreSQL: the running job and the one queued behind it end as failed, saying
// why and how far the first got, with the activity's entry — not "running" for ever. A job whose
// server is alive goes on past JOB_TIMEOUT_SECONDS: the heartbeat keeps it.
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { authHeaders, eventually, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type PostgresTestServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';

const pgUp = await servicesUp('postgres');
/** Short, so the test sees a job declared interrupted (and the heartbeat keep one alive) in seconds. */
const ENV = { JOB_TIMEOUT_SECONDS: '2' };

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`an import interrupted on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;

    beforeAll(async () => {
      if (database === 'PostgreSQL') pg = await freshDatabase('import_interrupted');
      server = pg ? await startServer({ databaseUrl: pg.url, env: ENV }) : await startServer({ env: ENV });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    const csv = (tag: string, rows: number) => ['name,email', ...Array.from({ length: rows }, (_, i) => `Person ${i},${tag}-${i}@example.com`)].join('\n');
    async function upload(body: string, name: string): Promise<JobDTO> {
      const response = await fetch(`${server.url}/api/users/import?fileName=${name}`, { method: 'POST', headers: { ...authHeaders(), 'Content-Type': 'text/csv' }, body });
      expect(response.status).toBe(202);
      return ((await response.json()) as { job: JobDTO }).job;
    }
    const job = async (id: string) => (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: authHeaders() })).json()) as JobDTO;
    const ended = (id: string) => eventually(() => job(id), (state) => ['done', 'cancelled', 'failed'].includes(state.state), 60_000);
    /** The users whose email starts with `tag`, counted from an export (a search's total stops at 10,000). */
    const exported = async (tag: string) => {
      const text = await (await fetch(`${server.url}/api/users/export?q=${tag}`, { headers: authHeaders() })).text();
      return (parse(text, { bom: true, columns: true }) as { email: string }[]).filter((row) => row.email.startsWith(`${tag}-`)).length;
    };

    it('goes on past JOB_TIMEOUT_SECONDS while its server lives', async () => {
      const tag = uniqueEmail('alive').split('@')[0]!;
      const started = Date.now();
      const done = await ended((await upload(csv(tag, 60_000), 'alive.csv')).id);
      // Only a run longer than the timeout shows the heartbeat at work.
      expect(Date.now() - started).toBeGreaterThan(2_000);
      expect(done).toMatchObject({ state: 'done', created: 60_000, error: null });
    }, 90_000);

    it('ends the running job and the queued one as failed when their server is killed, saying how far it got', async () => {
      const tag = uniqueEmail('killed').split('@')[0]!;
      const running = await upload(csv(tag, 200_000), 'big.csv');
      const queued = await upload(csv(`${tag}q`, 10), 'next.csv');
      await eventually(() => job(running.id), (state) => state.read > 0, 30_000);

      await server.restart({ kill: true });

      const first = await ended(running.id);
      expect(first.state).toBe('failed');
      expect(first.read).toBeGreaterThan(0);
      expect(first.read).toBeLessThan(200_000);
      expect(first.error).toBe(
        `Interrupted: the server running it stopped (a restart or a crash) after ${first.read.toLocaleString('en-US')} rows, which were imported. Upload the file again for the rest: rows already in are left unchanged`,
      );
      // What the job says was created is what is there: every batch is whole or absent.
      expect(first.created).toBe(first.read);
      expect(await exported(tag)).toBe(first.created);

      const second = await ended(queued.id);
      expect(second).toMatchObject({ state: 'failed', read: 0, created: 0 });
      expect(second.error).toMatch(/^Interrupted before it started: .* Nothing was imported: upload the file again$/);

      const activity = (await (await fetch(`${server.url}/api/activity?limit=10`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      const entries = activity.entries.filter((entry) => entry.kind === 'imported' && [running.id, queued.id].includes(entry.job.id));
      expect(entries.map((entry) => entry.kind === 'imported' && entry.job.state)).toEqual(['failed', 'failed']);
    }, 120_000);
  });
}
