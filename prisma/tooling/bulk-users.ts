// Writes generated users straight through the database driver, a batch per transaction, for
// `npm run db:seed -- --users N`: a million rows in under a minute with memory that does not grow
// with N. Prisma's createMany took four minutes and 1.9 GB for a million (every batch's query is
// built and kept by the client); the drivers take a prepared statement (SQLite) or one statement
// of arrays per batch (PostgreSQL's unnest), and keep nothing between batches. The "UserCount"
// triggers keep the total, as for any insert. No events: the rows are a fixture, not changes people
// made, and open dashboards show them after a refresh.
import Database from 'better-sqlite3';
import pg from 'pg';
import type { DatabaseTarget } from '@/lib/server/db/url';

/** A generated user, with the keys lib/shared/directory/keys.ts derives. */
export type BulkUser = { name: string; email: string; nameKey: string; searchKey: string; createdAt: Date };

export type BulkWriter = { write(users: BulkUser[]): Promise<void>; close(): Promise<void> };

/** Prisma's SQLite adapter stores times as ISO 8601 text with an explicit offset. */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

function sqliteWriter(file: string): BulkWriter {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  // The indexes take rows in no order of theirs (emails, name keys): a cache that holds them saves
  // re-reading their pages from disk for every batch. This connection's only.
  db.pragma('cache_size = -262144');
  const insert = db.prepare(
    'INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt", "version", "role") VALUES (?, ?, ?, ?, ?, ?, 1, \'none\')',
  );
  const batch = db.transaction((users: BulkUser[]) => {
    for (const user of users) {
      const at = sqliteTime(user.createdAt);
      insert.run(user.name, user.email, user.nameKey, user.searchKey, at, at);
    }
  });
  return {
    write: async (users) => batch(users),
    close: async () => {
      db.close();
    },
  };
}

async function postgresWriter(url: string): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    async write(users) {
      await client.query(
        `INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt", "version", "role")
         SELECT name, email, "nameKey", "searchKey", at, at, 1, 'none'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[]) AS u(name, email, "nameKey", "searchKey", at)`,
        [users.map((u) => u.name), users.map((u) => u.email), users.map((u) => u.nameKey), users.map((u) => u.searchKey), users.map((u) => u.createdAt)],
      );
    },
    close: () => client.end(),
  };
}

export function bulkUserWriter(target: DatabaseTarget): Promise<BulkWriter> {
  return target.provider === 'sqlite' ? Promise.resolve(sqliteWriter(target.file)) : postgresWriter(target.url);
}
