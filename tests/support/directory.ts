// Helpers for tests of the directory (GET /api/users views): a search tag of each test's own, so
// tests can share a database and still see only their users; rows written straight into the
// database, for what the API cannot make (two users created in the same millisecond); and a walk
// through every page of a view, both ways.
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { nameKey, searchKey, wordsKey } from '@/lib/shared/directory/keys';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { listPage, type PageQuery } from './api';
import { withClient } from './postgres';

/** A search term no other test uses (lower-case letters and digits, fit for names and emails). */
export function uniqueTag(): string {
  return `t${randomUUID().replace(/-/g, '').slice(0, 11)}`;
}

/** The database a server runs on, for writing rows behind its back. */
export type Store = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export type RowSpec = { name: string; email: string; createdAt: string };

/**
 * Inserts users as the data layer stores them (keys from lib/shared/directory/keys.ts, version 1,
 * updatedAt = createdAt, email as given: pass it normalised), in order; their ids, ascending.
 * No event is published: the rows appear in reads, not on streams.
 */
export async function insertRows(store: Store, rows: RowSpec[]): Promise<number[]> {
  const values = rows.map((row) => [row.name, row.email, nameKey(row.name), searchKey(row.name, row.email), wordsKey(row.name, row.email), row.createdAt] as const);
  if (store.kind === 'sqlite') {
    const db = new Database(store.file, { timeout: 5_000 });
    try {
      const insert = db.prepare(
        'INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "wordsKey", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING "id"',
      );
      // As Prisma's SQLite adapter writes a DateTime: ISO 8601 with an explicit +00:00.
      return values.map(([name, email, key, search, words, createdAt]) => {
        const stamp = new Date(createdAt).toISOString().replace('Z', '+00:00');
        return (insert.get(name, email, key, search, words, stamp, stamp) as { id: number }).id;
      });
    } finally {
      db.close();
    }
  }
  return withClient(store.url, async (client) => {
    const ids: number[] = [];
    for (const [name, email, key, search, words, createdAt] of values) {
      // timestamp(3) without time zone, holding UTC, as Prisma writes it.
      const { rows: inserted } = await client.query<{ id: number }>(
        `INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "wordsKey", "createdAt", "updatedAt")
         VALUES ($1, $2, $3, $4, $5, ($6::timestamptz AT TIME ZONE 'UTC'), ($6::timestamptz AT TIME ZONE 'UTC')) RETURNING "id"`,
        [name, email, key, search, words, createdAt],
      );
      ids.push(inserted[0]?.id ?? -1);
    }
    return ids;
  });
}

/** Runs one statement on the database, behind the app's back; the rows it returns, if any. */
export async function runSql(store: Store, sql: string): Promise<Record<string, unknown>[]> {
  if (store.kind === 'sqlite') {
    const db = new Database(store.file, { timeout: 5_000 });
    try {
      const statement = db.prepare(sql);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    } finally {
      db.close();
    }
  }
  return withClient(store.url, async (client) => (await client.query<Record<string, unknown>>(sql)).rows);
}

/** How many users the database holds: COUNT(*) over the table, and the row its triggers keep. */
export async function countUsers(store: Store): Promise<{ rows: number; kept: number }> {
  const [row] = await runSql(store, 'SELECT (SELECT COUNT(*) FROM "User") AS "rows", (SELECT "count" FROM "UserCount" WHERE "id" = 1) AS "kept"');
  return { rows: Number(row?.rows), kept: Number(row?.kept) };
}

export type Walk = {
  /** The pages from the first, following nextCursor to the end. */
  forward: PageDTO[];
  /** The pages from the last back to the first, following prevCursor. */
  backward: PageDTO[];
};

/** Every page of a view, `limit` rows at a time, walked to its end and back (at most 100 pages each way). */
export async function walkPages(baseUrl: string, view: Omit<PageQuery, 'cursor' | 'limit'>, limit: number): Promise<Walk> {
  const forward = [await listPage(baseUrl, { ...view, limit })];
  for (let cursor = forward[0]?.nextCursor; cursor && forward.length < 100; cursor = forward.at(-1)?.nextCursor) {
    forward.push(await listPage(baseUrl, { ...view, limit, cursor }));
  }
  const last = forward.at(-1);
  const backward = last ? [last] : [];
  for (let cursor = last?.prevCursor; cursor && backward.length < 100; cursor = backward.at(-1)?.prevCursor) {
    backward.push(await listPage(baseUrl, { ...view, limit, cursor }));
  }
  return { forward, backward };
}

export const idsOf = (users: Pick<UserDTO, 'id'>[]): number[] => users.map((user) => user.id);
