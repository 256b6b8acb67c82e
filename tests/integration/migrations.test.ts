// prisma/tooling/migrate.ts with Prisma's WebAssembly schema engine on real SQLite files.
// Paths in prisma/tooling/migrate.ts are relative to the working directory: run from the project root.
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, createMigration, MIGRATIONS_DIR } from '@/prisma/tooling/migrate';
import { databaseTarget, type SqliteTarget } from '@/lib/server/db/url';
import { tempDir } from '../support/server';

let scratch: Awaited<ReturnType<typeof tempDir>>;
let target: SqliteTarget;

beforeEach(async () => {
  scratch = await tempDir('migrations');
  target = databaseTarget(`file:${path.join(scratch.dir, 'fresh.db')}`);
});

afterEach(async () => {
  await scratch.remove();
});

async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR.sqlite, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
}

describe('applyMigrations', () => {
  it('creates the tables and the migration history on an empty file, once', async () => {
    const committed = await committedMigrations();
    expect(committed.length).toBeGreaterThan(0);

    expect(await applyMigrations(target)).toEqual(committed);

    const db = new Database(target.file, { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .pluck()
        .all();
      // UserSearch is the FTS5 search index; SQLite keeps its data in the three tables after it.
      expect(tables).toEqual(['Event', 'Invite', 'Job', 'JobFailure', 'Passkey', 'Session', 'User', 'UserCount', 'UserSearch', 'UserSearch_config', 'UserSearch_data', 'UserSearch_idx', '_prisma_migrations']);
      const history = db
        .prepare('SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at FROM _prisma_migrations')
        .all();
      expect(history).toEqual(committed.map((name) => ({ migration_name: name, finished: 1, rolled_back_at: null })));
      const columns = db.prepare("SELECT name FROM pragma_table_info('User') ORDER BY cid").pluck().all();
      expect(columns).toEqual(['id', 'name', 'email', 'nameKey', 'searchKey', 'createdAt', 'updatedAt', 'version', 'role', 'passwordHash', 'wordsKey']);
    } finally {
      db.close();
    }
  });

  it('applies nothing on a second run', async () => {
    await applyMigrations(target);
    expect(await applyMigrations(target)).toEqual([]);
  });

  it('leaves the file unlocked: another connection can write right away', async () => {
    await applyMigrations(target);

    // timeout 0: a lock still held by the engine fails at once instead of waiting it out.
    const db = new Database(target.file, { timeout: 0 });
    try {
      db.prepare('INSERT INTO "User" (name, email, "nameKey", "searchKey", "updatedAt") VALUES (?, ?, ?, ?, ?)').run(
        'Writer',
        'writer@example.com',
        'writer',
        'writer\nwriter@example.com',
        Date.now(),
      );
      expect(db.prepare('SELECT email FROM "User"').pluck().all()).toEqual(['writer@example.com']);
    } finally {
      db.close();
    }
    expect(await applyMigrations(target)).toEqual([]);
  });

  it('creates the database file and its directory when they do not exist', async () => {
    const nested = databaseTarget(`file:${path.join(scratch.dir, 'a/b/nested.db')}`);
    expect(await applyMigrations(nested)).toEqual(await committedMigrations());
  });
});

describe('createMigration', () => {
  it('reports nothing to create (null) while schema.prisma matches the committed migrations', async () => {
    const before = await committedMigrations();
    const created = await createMigration('should_be_empty', target);
    try {
      expect(created).toBeNull();
    } finally {
      // A failure here must not leave a stray migration in prisma/migrations.
      if (created) await rm(created, { recursive: true, force: true });
    }
    expect(await committedMigrations()).toEqual(before);
  });
});
