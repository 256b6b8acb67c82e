// Upgrading a database that an older release left (users, no directory columns) to the directory:
// every user keeps its data and gets the keys, version and updatedAt the app would give it, and
// the count of users that later migrations keep starts from them.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import { nameKey, searchKey } from '@/lib/shared/directory/keys';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { tempDir } from '../support/server';
import { servicesUp } from '../support/services';

const BEFORE_DIRECTORY = { sqlite: '20261127064557_init', postgresql: '20261127084016_init' };
const OLD_USERS = [
  { name: 'ÉMILE Zola', email: 'emile@example.com' },
  { name: '100% _Real_ \\o/', email: 'odd_one@example.com' },
  { name: 'Ada Lovelace', email: 'ada@example.com' },
];
const CREATED = '2026-01-02T03:04:05.000Z';

type Row = { id: number; name: string; email: string; nameKey: string; searchKey: string; version: number; createdAt: string; updatedAt: string };

function expectUpgraded(rows: Row[]) {
  expect(rows.map((row) => row.name)).toEqual(OLD_USERS.map((user) => user.name));
  for (const row of rows) {
    expect(row.nameKey).toBe(nameKey(row.name));
    expect(row.searchKey).toBe(searchKey(row.name, row.email));
    expect(row.version).toBe(1);
    expect(new Date(row.updatedAt).toISOString()).toBe(new Date(row.createdAt).toISOString());
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('the directory migration on a database with users', () => {
  it('gives SQLite users the keys the app computes, non-ASCII capitals included', async () => {
    const scratch = await tempDir('directory-migration');
    cleanups.push(scratch.remove);
    const target = databaseTarget(`file:${path.join(scratch.dir, 'old.db')}`);
    if (target.provider !== 'sqlite') throw new Error('expected SQLite');
    expect(await applyMigrations(target, { upTo: BEFORE_DIRECTORY.sqlite })).toEqual([BEFORE_DIRECTORY.sqlite]);
    const old = new Database(target.file);
    const insert = old.prepare('INSERT INTO "User" ("name", "email", "createdAt") VALUES (?, ?, ?)');
    // As Prisma Client stores a DateTime in SQLite: ISO 8601 text with an explicit offset.
    for (const user of OLD_USERS) insert.run(user.name, user.email, CREATED.replace('Z', '+00:00'));
    old.close();

    expect(await applyMigrations(target)).toContainEqual(expect.stringMatching(/_directory$/));

    const db = new Database(target.file, { readonly: true });
    try {
      const rows = db.prepare('SELECT * FROM "User" ORDER BY "id"').all() as Row[];
      expectUpgraded(rows);
      expect(db.prepare('SELECT "count" FROM "UserCount"').all()).toEqual([{ count: OLD_USERS.length }]);
      expect(rows[0]?.nameKey).toBe('émile zola');
    } finally {
      db.close();
    }
  });

  it('gives PostgreSQL users their keys, and sorts them by code point', async ({ skip }) => {
    if (!(await servicesUp('postgres'))) skip();
    const database: TestDatabase = await freshDatabase('directory_migration');
    cleanups.push(database.drop);
    const target = databaseTarget(database.url);
    await applyMigrations(target, { upTo: BEFORE_DIRECTORY.postgresql });
    await withClient(database.url, async (client) => {
      for (const user of OLD_USERS) await client.query('INSERT INTO "User" ("name", "email", "createdAt") VALUES ($1, $2, $3)', [user.name, user.email, CREATED]);
    });

    expect(await applyMigrations(target)).toContainEqual(expect.stringMatching(/_directory$/));

    await withClient(database.url, async (client) => {
      const { rows } = await client.query<Row>('SELECT * FROM "User" ORDER BY "id"');
      expectUpgraded(rows);
      expect((await client.query('SELECT "count" FROM "UserCount"')).rows).toEqual([{ count: OLD_USERS.length }]);
      const sorted = await client.query<{ nameKey: string }>('SELECT "nameKey" FROM "User" ORDER BY "nameKey"');
      expect(sorted.rows.map((row) => row.nameKey)).toEqual(['100% _real_ \\o/', 'ada lovelace', 'émile zola']);
      await client.query('TRUNCATE "User" CASCADE'); // its sessions with it
      expect((await client.query('SELECT "count" FROM "UserCount"')).rows).toEqual([{ count: 0 }]);
    });
  });
});
