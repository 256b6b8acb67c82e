import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { MigrationList, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg';
import { nameKey, searchKey, wordsKey } from '@/lib/shared/directory/keys';
import { postgresMigrationFactory, withMigrationLock } from './postgres-migrate';
import { withSchemaEngine } from './schema-engine';
import { databaseTarget, type DatabaseProvider, type DatabaseTarget } from '@/lib/server/db/url';

const PRISMA_DIR = path.resolve('prisma');
/**
 * What the engine leaves alone: SQLite's FTS5 search index and the tables it keeps itself (the
 * search migration makes them; no Prisma model can describe a virtual table), which a new
 * migration would otherwise drop.
 */
const FILTERS: Record<DatabaseProvider, SchemaFilter> = {
  sqlite: { externalTables: ['UserSearch', ...['config', 'data', 'docsize', 'idx'].map((shadow) => `UserSearch_${shadow}`)], externalEnums: [] },
  postgresql: { externalTables: [], externalEnums: [] },
};

/** Each provider has its own schema (the same model) and its own migrations. */
const SCHEMA_FILE: Record<DatabaseProvider, string> = {
  sqlite: path.join(PRISMA_DIR, 'schema.prisma'),
  postgresql: path.join(PRISMA_DIR, 'postgresql/schema.prisma'),
};

export const MIGRATIONS_DIR: Record<DatabaseProvider, string> = {
  sqlite: path.join(PRISMA_DIR, 'migrations'),
  postgresql: path.join(PRISMA_DIR, 'postgresql/migrations'),
};

async function adapterFactory(target: DatabaseTarget): Promise<SqlMigrationAwareDriverAdapterFactory> {
  if (target.provider === 'postgresql') return postgresMigrationFactory(target.url);
  await mkdir(path.dirname(target.file), { recursive: true });
  return new PrismaBetterSqlite3({ url: target.url });
}

/** The migrations directory in the shape the engine reads (it cannot touch the disk itself). */
async function readMigrations(dir: string): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const lockfile = await readFile(path.join(dir, 'migration_lock.toml'), 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: lockfile },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      names.map(async (name) => ({
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: await readFile(path.join(dir, name, 'migration.sql'), 'utf8').then(
            (value) => ({ tag: 'ok' as const, value }),
            (error: Error) => ({ tag: 'error' as const, value: error.message }),
          ),
        },
      })),
    ),
  };
}

/**
 * On PostgreSQL, where several instances may start at once against one database, runs `work`
 * while no other Roster process migrates it (see withMigrationLock). SQLite stays as it was.
 */
function exclusively<T>(target: DatabaseTarget, work: () => Promise<T>): Promise<T> {
  return target.provider === 'postgresql' ? withMigrationLock(target.url, work) : work();
}

/**
 * Applies every pending migration (or those up to and including `upTo`, to make a database as an
 * older release left it); returns the names applied now (none when up to date).
 */
export async function applyMigrations(target = databaseTarget(), { upTo }: { upTo?: string } = {}): Promise<string[]> {
  const all = await readMigrations(MIGRATIONS_DIR[target.provider]);
  const migrationsList = upTo ? { ...all, migrationDirectories: all.migrationDirectories.filter((m) => m.path <= upTo) } : all;
  const schemaFile = SCHEMA_FILE[target.provider];
  const schema = await readFile(schemaFile, 'utf8');
  return exclusively(target, async () => {
    const { appliedMigrationNames } = await withSchemaEngine(await adapterFactory(target), [[schemaFile, schema]], (engine) =>
      engine.applyMigrations({ migrationsList, filters: FILTERS[target.provider] }),
    );
    if (target.provider === 'sqlite') {
      enableWriteAheadLog(target.file);
      if (appliedMigrationNames.some((name) => name.endsWith('_directory'))) refreshSearchKeys(target.file);
    }
    if (appliedMigrationNames.some((name) => name.endsWith('_search'))) await refreshWordsKeys(target);
    return appliedMigrationNames;
  });
}

/**
 * Write-ahead logging (a setting stored in the file): readers no longer block the writer, and a
 * commit appends to the log instead of syncing the whole database — in the benchmark it cut a
 * create's latency from 10–200 ms to about 6 ms.
 */
function enableWriteAheadLog(file: string): void {
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
  } finally {
    database.close();
  }
}

/**
 * The directory migration computes existing users' keys in SQL, where SQLite's lower() folds
 * ASCII only; recompute them with the rule the app uses (lib/shared/directory/keys.ts), once, right after.
 */
function refreshSearchKeys(file: string): void {
  const database = new Database(file);
  try {
    const update = database.prepare('UPDATE "User" SET "nameKey" = ?, "searchKey" = ? WHERE "id" = ?');
    const rows = database.prepare('SELECT "id", "name", "email" FROM "User"').all() as { id: number; name: string; email: string }[];
    database.transaction(() => {
      for (const row of rows) update.run(nameKey(row.name), searchKey(row.name, row.email), row.id);
    })();
  } finally {
    database.close();
  }
}

const REFRESH_BATCH = 5_000;
type NamedRow = { id: number; name: string; email: string };

/**
 * The search migration adds wordsKey empty; existing users get theirs here, once, right after
 * (keys.ts's rule, which SQL cannot run), a batch per transaction, before any instance serves
 * (on PostgreSQL inside the migration lock). On SQLite the update triggers index each row.
 */
async function refreshWordsKeys(target: DatabaseTarget): Promise<void> {
  if (target.provider === 'sqlite') {
    const database = new Database(target.file);
    try {
      const read = database.prepare<[number, number], NamedRow>('SELECT "id", "name", "email" FROM "User" WHERE "id" > ? ORDER BY "id" LIMIT ?');
      const update = database.prepare('UPDATE "User" SET "wordsKey" = ? WHERE "id" = ?');
      const write = database.transaction((rows: NamedRow[]) => {
        for (const row of rows) update.run(wordsKey(row.name, row.email), row.id);
      });
      for (let rows = read.all(0, REFRESH_BATCH); rows.length > 0; rows = read.all(rows.at(-1)?.id ?? 0, REFRESH_BATCH)) write(rows);
    } finally {
      database.close();
    }
    return;
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    for (let after = 0; ; ) {
      const { rows } = await client.query<NamedRow>('SELECT "id", "name", "email" FROM "User" WHERE "id" > $1 ORDER BY "id" LIMIT $2', [after, REFRESH_BATCH]);
      const last = rows.at(-1);
      if (!last) return;
      await client.query(
        'UPDATE "User" AS u SET "wordsKey" = k."wordsKey" FROM unnest($1::int[], $2::text[]) AS k("id", "wordsKey") WHERE u."id" = k."id"',
        [rows.map((row) => row.id), rows.map((row) => wordsKey(row.name, row.email))],
      );
      after = last.id;
    }
  } finally {
    await client.end();
  }
}

/**
 * Writes the migration that takes the committed migrations to the provider's schema file,
 * like `prisma migrate dev --create-only`. Returns its directory, or null when nothing changed.
 */
export async function createMigration(name: string, target = databaseTarget()): Promise<string | null> {
  const dir = MIGRATIONS_DIR[target.provider];
  const schemaFile = SCHEMA_FILE[target.provider];
  const migrationsList = await readMigrations(dir);
  const schema = await readFile(schemaFile, 'utf8');
  const result = await exclusively(target, async () =>
    withSchemaEngine(await adapterFactory(target), [[schemaFile, schema]], async (engine) => {
      // The engine diagnoses the database before diffing; it can only do so once the
      // committed migrations are applied (as `prisma migrate dev` does first too).
      await engine.applyMigrations({ migrationsList, filters: FILTERS[target.provider] });
      await engine.devDiagnostic({ migrationsList, filters: FILTERS[target.provider] });
      return engine.createMigration({
        draft: false,
        migrationName: name,
        migrationsList,
        schema: { files: [{ path: schemaFile, content: schema }] },
        filters: FILTERS[target.provider],
      });
    }),
  );
  if (result.migrationScript === null) return null;
  const out = path.join(dir, result.generatedMigrationName);
  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, `migration.${result.extension}`), result.migrationScript);
  if (migrationsList.lockfile.content === null) {
    await writeFile(
      path.join(dir, 'migration_lock.toml'),
      `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${target.provider}"\n`,
    );
  }
  return out;
}
