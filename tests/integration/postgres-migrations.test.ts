// prisma/tooling/migrate.ts with Prisma's WebAssembly schema engine on real PostgreSQL databases, one fresh
// database per test. Paths in prisma/tooling/migrate.ts are relative to the working directory: run from the
// project root.
import { readdir, rm } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, createMigration, MIGRATIONS_DIR } from '@/prisma/tooling/migrate';
import { MIGRATION_LOCK_KEY } from '@/prisma/tooling/postgres-migrate';
import { databaseTarget } from '@/lib/server/db/url';
import { databaseNames, freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { servicesUp } from '../support/services';

const up = await servicesUp('postgres');

/** The advisory lock the schema engine takes itself before it reads the migration history. */
const ENGINE_LOCK_KEY = '72707369';

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR.postgresql, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

/** Names of the tables in the public schema. */
function tables(url: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    return rows.map((row) => row.name);
  });
}

/** The migration history and the shape of every table, to compare before and after. */
function snapshot(url: string) {
  return withClient(url, async (client) => {
    const history = await client.query(
      'SELECT id, checksum, migration_name, finished_at, rolled_back_at, applied_steps_count FROM _prisma_migrations ORDER BY started_at',
    );
    const columns = await client.query(
      "SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    );
    const indexes = await client.query("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname");
    return { history: history.rows, columns: columns.rows, indexes: indexes.rows };
  });
}

describe.skipIf(!up)('migrations on PostgreSQL', () => {
  let database: TestDatabase;

  beforeEach(async () => {
    database = await freshDatabase('migrations');
  });

  afterEach(async () => {
    await database.drop();
  });

  it('applyMigrations creates the tables and the migration history on an empty database', async () => {
    const committed = await committedMigrations();
    expect(committed.length).toBeGreaterThan(0);

    expect(await applyMigrations(databaseTarget(database.url))).toEqual(committed);

    expect(await tables(database.url)).toEqual(['Event', 'Invite', 'Job', 'JobFailure', 'Passkey', 'Session', 'User', 'UserCount', '_prisma_migrations']);
    const { history, columns } = await snapshot(database.url);
    expect(history.map((row) => [row.migration_name, row.finished_at instanceof Date, row.rolled_back_at])).toEqual(
      committed.map((name) => [name, true, null]),
    );
    expect(columns.filter((c) => c.table_name === 'User').map((c) => c.column_name)).toEqual([
      'id',
      'name',
      'email',
      'createdAt',
      'nameKey',
      'searchKey',
      'updatedAt',
      'version',
      'role',
      'passwordHash',
      'wordsKey',
    ]);
  });

  it('applies nothing and changes nothing on a second run', async () => {
    await applyMigrations(databaseTarget(database.url));
    const before = await snapshot(database.url);

    expect(await applyMigrations(databaseTarget(database.url))).toEqual([]);
    expect(await snapshot(database.url)).toEqual(before);
  });

  it('createMigration reports nothing to create (null), keeps the data and leaves no shadow database behind', async () => {
    const migrations = await committedMigrations();
    await applyMigrations(databaseTarget(database.url));
    const insert = `INSERT INTO "User" (name, email, "nameKey", "searchKey", "updatedAt") VALUES ('Ada', 'ada@example.com', 'ada', 'ada' || chr(10) || 'ada@example.com', now())`;
    await withClient(database.url, (client) => client.query(insert));
    const databases = await databaseNames();

    const created = await createMigration('should_be_empty', databaseTarget(database.url));
    try {
      expect(created).toBeNull();
    } finally {
      // A failure here must not leave a stray migration in prisma/postgresql/migrations.
      if (created) await rm(created, { recursive: true, force: true });
    }
    expect(await committedMigrations()).toEqual(migrations);
    // The engine replays the migrations on its shadow database, never on the main one.
    const emails = await withClient(database.url, (client) => client.query('SELECT email FROM "User"'));
    expect(emails.rows).toEqual([{ email: 'ada@example.com' }]);
    // Other runs on this server (another checkout's tests) may create databases meanwhile: only
    // shadow databases, which the engine asked for here, count.
    const added = (await databaseNames()).filter((name) => !databases.includes(name));
    expect(added.filter((name) => name.startsWith('prisma_migrate_shadow_db_'))).toEqual([]);
  });

  it('lets instances that start at once migrate one fresh database: all succeed, each migration is recorded once', async () => {
    const committed = await committedMigrations();

    const results = await Promise.all([1, 2, 3].map(() => applyMigrations(databaseTarget(database.url))));

    // One of them applied everything, the others found it done.
    expect(results.flat().sort()).toEqual(committed);
    expect(results.filter((applied) => applied.length === 0)).toHaveLength(2);
    const { history } = await snapshot(database.url);
    expect(history.map((row) => row.migration_name)).toEqual(committed);
  });

  it.each([
    ["Roster's own", MIGRATION_LOCK_KEY],
    ["the schema engine's", ENGINE_LOCK_KEY],
  ])('waits while another process holds %s migration lock, then migrates', async (_whose, key) => {
    await withClient(database.url, async (holder) => {
      await holder.query('SELECT pg_advisory_lock($1)', [key]);
      const applying = applyMigrations(databaseTarget(database.url)).then(
        (applied) => ({ applied }),
        (error: unknown) => ({ error }),
      );
      // Well within the engine's own 10-second limit on waiting for its lock.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(await tables(database.url)).toEqual([]);

      await holder.query('SELECT pg_advisory_unlock($1)', [key]);
      expect(await applying).toEqual({ applied: await committedMigrations() });
    });
  });
});
