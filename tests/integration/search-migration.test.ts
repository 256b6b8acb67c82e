// The search migration on databases that already hold users: each gets the wordsKey the app
// computes, the trigram index finds them, and it stays in step with writes made behind the app's
// back (SQLite's triggers). On PostgreSQL, a role that may not create pg_trgm is told how to get it.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import { wordsKey } from '@/lib/shared/directory/keys';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { tempDir } from '../support/server';
import { servicesUp } from '../support/services';

const BEFORE_SEARCH = { sqlite: '20261203170127_import_jobs', postgresql: '20261203170117_import_jobs' };
const OLD_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Zoë Núñez-García', email: 'zoe.garcia@example.org' },
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Inserts a user as an older release did on PostgreSQL: keys for the directory, none for words. */
const OLD_INSERT = `INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "updatedAt") VALUES ($1, $2, lower($1), lower($1) || chr(10) || $2, CURRENT_TIMESTAMP)`;

describe('the search migration on SQLite', () => {
  it('gives existing users their wordsKey and indexes them, then keeps the index in step with every write', async () => {
    const scratch = await tempDir('search-migration');
    cleanups.push(scratch.remove);
    const target = databaseTarget(`file:${path.join(scratch.dir, 'old.db')}`);
    if (target.provider !== 'sqlite') throw new Error('expected SQLite');
    await applyMigrations(target, { upTo: BEFORE_SEARCH.sqlite });
    const old = new Database(target.file);
    const insert = old.prepare(`INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "updatedAt") VALUES (?, ?, lower(?), lower(?) || char(10) || ?, CURRENT_TIMESTAMP)`);
    for (const { name, email } of OLD_USERS) insert.run(name, email, name, name, email);
    old.close();

    // The search migration first; those after it (if any) follow.
    expect((await applyMigrations(target))[0]).toMatch(/_search$/);

    const db = new Database(target.file);
    try {
      const rows = db.prepare('SELECT "name", "email", "wordsKey" FROM "User" ORDER BY "id"').all() as { name: string; email: string; wordsKey: string }[];
      for (const row of rows) expect(row.wordsKey).toBe(wordsKey(row.name, row.email));
      const found = (column: string, text: string) =>
        db.prepare(`SELECT "rowid" FROM "UserSearch" WHERE "${column}" MATCH ? ORDER BY "rowid"`).pluck().all(`"${text}"`);
      expect(found('searchKey', 'lovelace')).toEqual([1]);
      expect(found('wordsKey', '  ga')).toEqual([2]);
      // Behind the app: an edit, a new user, a delete.
      db.prepare('UPDATE "User" SET "searchKey" = ?, "wordsKey" = ? WHERE "id" = 1').run('ada byron\nada@example.com', wordsKey('Ada Byron', 'ada@example.com'));
      db.prepare('INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "wordsKey", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)').run(
        'Grace Hopper', 'grace@example.com', 'grace hopper', 'grace hopper\ngrace@example.com', wordsKey('Grace Hopper', 'grace@example.com'), '2026-01-01T00:00:00.000+00:00',
      );
      db.prepare('DELETE FROM "User" WHERE "id" = 2').run();
      expect(found('searchKey', 'lovelace')).toEqual([]);
      expect(found('searchKey', 'byron')).toEqual([1]);
      expect(found('wordsKey', '  ho')).toEqual([3]);
      expect(found('wordsKey', '  ga')).toEqual([]);
      // FTS5 compares the index with the rows of "User": it fails if any write was missed.
      expect(() => db.exec(`INSERT INTO "UserSearch" ("UserSearch", "rank") VALUES ('integrity-check', 1)`)).not.toThrow();
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!(await servicesUp('postgres')))('the search migration on PostgreSQL', () => {
  it('gives existing users their wordsKey, which the trigram index finds', async () => {
    const database: TestDatabase = await freshDatabase('search_migration');
    cleanups.push(database.drop);
    const target = databaseTarget(database.url);
    await applyMigrations(target, { upTo: BEFORE_SEARCH.postgresql });
    await withClient(database.url, async (client) => {
      for (const user of OLD_USERS) await client.query(OLD_INSERT, [user.name, user.email]);
    });

    // The search migration first; those after it (if any) follow.
    expect((await applyMigrations(target))[0]).toMatch(/_search$/);

    await withClient(database.url, async (client) => {
      const { rows } = await client.query<{ name: string; email: string; wordsKey: string }>('SELECT "name", "email", "wordsKey" FROM "User" ORDER BY "id"');
      for (const row of rows) expect(row.wordsKey).toBe(wordsKey(row.name, row.email));
      const { rows: indexes } = await client.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'User' AND indexdef LIKE '%gin_trgm_ops%' ORDER BY indexname`);
      expect(indexes.map((index) => index.indexname)).toEqual(['User_searchKey_trgm_idx', 'User_wordsKey_trgm_idx']);
    });
  });

  it('tells a role that may not create pg_trgm how to get it', async () => {
    const database: TestDatabase = await freshDatabase('search_privilege');
    cleanups.push(database.drop);
    const role = `roster_test_${database.name.slice(-8)}`;
    // A role that may create tables in the database (as the app's own would) but not extensions.
    await withClient(database.url, async (client) => {
      await client.query(`CREATE ROLE ${role} LOGIN`);
      await client.query(`GRANT CONNECT ON DATABASE ${database.name} TO ${role}`);
      await client.query(`GRANT USAGE, CREATE ON SCHEMA public TO ${role}`);
    });
    cleanups.push(() => withClient(database.url, async (client) => {
      await client.query(`DROP OWNED BY ${role}`);
      await client.query(`DROP ROLE ${role}`);
    }).then(() => undefined));
    const url = new URL(database.url);
    url.username = role;

    await expect(applyMigrations(databaseTarget(url.toString()))).rejects.toThrow(/pg_trgm[\s\S]*CREATE EXTENSION IF NOT EXISTS pg_trgm/);
  });
});
