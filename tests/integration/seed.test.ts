// `npm run db:seed -- --users N` on both databases: the generated users are written straight through
// the driver (prisma/tooling/bulk-users.ts), so this checks that what it writes is what the app
// reads — every row listed, counted by the triggers, its times and keys as Prisma's would be.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { listPage } from '../support/api';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { startServer, type PostgresTestServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';

const pgUp = await servicesUp('postgres');

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`npm run db:seed on ${database}`, () => {
    let server: TestServer | PostgresTestServer | undefined;
    let pg: TestDatabase | undefined;
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    it('adds the generated users in batches, counted, listed, sorted and found like any other', async () => {
      if (database === 'PostgreSQL') pg = await freshDatabase('seed');
      server = pg ? await startServer({ databaseUrl: pg.url }) : await startServer();
      const before = (await listPage(server.url)).total;
      const url = pg ? pg.url : `file:${(server as TestServer).databaseFile}`;
      // The writer sets the sorts' indexes and the search trigger aside while it writes a run that
      // doubles the table (SQLite): every one is back when it ends.
      const schemaOf = async () => {
        if (pg) {
          const { rows } = await withClient(pg.url, (client) => client.query<{ sql: string }>('SELECT indexdef AS sql FROM pg_indexes WHERE tablename = \'User\' ORDER BY indexname'));
          return rows.map((row) => row.sql);
        }
        const file = new Database((server as TestServer).databaseFile, { readonly: true });
        try {
          return file.prepare<[], string>('SELECT "sql" FROM "sqlite_master" WHERE "tbl_name" = \'User\' AND "sql" IS NOT NULL ORDER BY "name"').pluck().all();
        } finally {
          file.close();
        }
      };
      const schemaBefore = await schemaOf();
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: url };
      delete env.REDIS_URL;
      // More than two batches of 5,000, so a batch boundary is crossed.
      const { stdout } = await promisify(execFile)('npm', ['run', 'db:seed', '--', '--users', '12000'], { env });
      expect(stdout).toMatch(/Added 12000 generated users in [\d.]+ s\./);
      expect(await schemaOf()).toEqual(schemaBefore);
      expect(schemaBefore.filter((sql) => sql.startsWith('CREATE INDEX')).length).toBeGreaterThanOrEqual(pg ? 8 : 6);

      const all = await listPage(server.url, { limit: 1 });
      // The demo users (five) and the generated ones, counted by the triggers.
      expect(all.total).toBe(before + 5 + 12_000);
      const oldest = await listPage(server.url, { sort: 'createdAt', order: 'asc', limit: 3 });
      for (const user of oldest.users) {
        expect(user).toMatchObject({ role: 'none', version: 1 });
        expect(user.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        expect(user.updatedAt).toBe(user.createdAt);
        expect(Date.now() - Date.parse(user.createdAt)).toBeGreaterThan(300 * 24 * 60 * 60_000);
      }
      const [first] = oldest.users;
      expect(first?.email).toMatch(/^user0\.[a-z0-9]+@example\.com$/);
      // The search key holds the email: a search finds the row, and only it.
      const found = await listPage(server.url, { q: first!.email });
      expect(found.users.map((user) => user.id)).toEqual([first!.id]);
      const byName = await listPage(server.url, { q: 'user11999.', sort: 'name' });
      expect(byName.total).toBe(1);
    }, 120_000);
  });
}
