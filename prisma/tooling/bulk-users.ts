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
import { nameKey, searchKey, wordsKey } from '@/lib/shared/directory/keys';

/** A generated user, with the keys lib/shared/directory/keys.ts derives. */
export type BulkUser = { name: string; email: string; nameKey: string; searchKey: string; wordsKey: string; createdAt: Date };

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Linus', 'Radia', 'Ken', 'Sophie', 'Tim', 'Hedy', 'Niklaus', 'Annie', 'Dennis', 'Joan', 'Søren', 'Zoë', 'José', 'Łucja'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'McCarthy', 'Hamilton', 'Torvalds', 'Perlman', 'Thompson', 'Wilson', 'Berners-Lee', 'Lamarr', 'Wirth', 'Easley', 'Ritchie', 'Clarke', 'Kierkegaard', 'Núñez', 'García', 'Wójcik'];
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The `n`th of `total` generated users: a name from the pools (one first name in 24, one full
 * name in 576), an email unique to the run's tag, createdAt spread over the year before `until`.
 */
export function generatedUser(n: number, { total, run, until }: { total: number; run: string; until: number }): BulkUser {
  const name = `${FIRST[n % FIRST.length]} ${LAST[Math.floor(n / FIRST.length) % LAST.length]} ${n}`;
  const email = `user${n}.${run}@example.com`;
  const createdAt = new Date(until - YEAR_MS + Math.floor((n / total) * YEAR_MS));
  return { name, email, nameKey: nameKey(name), searchKey: searchKey(name, email), wordsKey: wordsKey(name, email), createdAt };
}

export type BulkWriter = { write(users: BulkUser[]): Promise<void>; close(): Promise<void> };

/** Prisma's SQLite adapter stores times as ISO 8601 text with an explicit offset. */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

function sqliteWriter(file: string, total: number): BulkWriter {
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  // A page cache for the one index that still takes rows in no order of theirs (email, unique):
  // this connection's only, and bounded, so memory stays flat whatever the count.
  db.pragma('cache_size = -16384');
  // The search index ("UserSearch", the search migration): its insert trigger costs about 40 µs a
  // row, a rebuild at the end about 10 µs, so the writer sets the trigger aside while it writes and
  // rebuilds the index once it is done (which indexes every row, whoever wrote it meanwhile). The
  // trigger's own SQL puts it back, even when a batch fails.
  const indexTrigger = db.prepare<[], string>('SELECT "sql" FROM "sqlite_master" WHERE "type" = \'trigger\' AND "name" = \'User_search_insert\'').pluck().get();
  if (indexTrigger) db.exec('DROP TRIGGER "User_search_insert"');
  // The sorts' indexes likewise, when the run at least doubles the table: six B-trees that take
  // each row at a random place cost more than sorting every row once when they are made again
  // (a million rows: ~90 s against ~10 s). The unique index on email stays, so a run never leaves
  // a duplicate behind.
  const existing = db.prepare<[], number>('SELECT "count" FROM "UserCount" WHERE "id" = 1').pluck().get() ?? 0;
  const sortIndexes =
    total >= existing
      ? db.prepare<[], { name: string; sql: string }>('SELECT "name", "sql" FROM "sqlite_master" WHERE "type" = \'index\' AND "tbl_name" = \'User\' AND "sql" NOT LIKE \'CREATE UNIQUE%\'').all()
      : [];
  for (const index of sortIndexes) db.exec(`DROP INDEX "${index.name}"`);
  const insert = db.prepare(
    'INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "wordsKey", "createdAt", "updatedAt", "version", "role") VALUES (?, ?, ?, ?, ?, ?, ?, 1, \'none\')',
  );
  const batch = db.transaction((users: BulkUser[]) => {
    for (const user of users) {
      const at = sqliteTime(user.createdAt);
      insert.run(user.name, user.email, user.nameKey, user.searchKey, user.wordsKey, at, at);
    }
  });
  return {
    write: async (users) => batch(users),
    close: async () => {
      try {
        db.transaction(() => {
          for (const index of sortIndexes) db.exec(index.sql);
          if (indexTrigger) db.exec(`${indexTrigger}; INSERT INTO "UserSearch" ("UserSearch") VALUES ('rebuild');`);
        })();
      } finally {
        db.close();
      }
    },
  };
}

async function postgresWriter(url: string, total: number): Promise<BulkWriter> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // As on SQLite: a run that at least doubles the table builds the sorts' and the search's
  // indexes once at the end (sorted, in bulk) rather than inserting into each, row by row. The
  // unique ones (id, email) stay.
  const { rows: counted } = await client.query<{ count: number }>('SELECT "count" FROM "UserCount" WHERE "id" = 1');
  const { rows: indexes } =
    total >= (counted[0]?.count ?? 0)
      ? await client.query<{ name: string; sql: string }>(
          `SELECT i.indexname AS name, i.indexdef AS sql FROM pg_indexes i JOIN pg_index x ON x.indexrelid = format('%I.%I', i.schemaname, i.indexname)::regclass
           WHERE i.schemaname = current_schema() AND i.tablename = 'User' AND NOT x.indisunique`,
        )
      : { rows: [] };
  for (const index of indexes) await client.query(`DROP INDEX "${index.name}"`);
  return {
    async write(users) {
      await client.query(
        `INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "wordsKey", "createdAt", "updatedAt", "version", "role")
         SELECT name, email, "nameKey", "searchKey", "wordsKey", at, at, 1, 'none'
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[]) AS u(name, email, "nameKey", "searchKey", "wordsKey", at)`,
        [users.map((u) => u.name), users.map((u) => u.email), users.map((u) => u.nameKey), users.map((u) => u.searchKey), users.map((u) => u.wordsKey), users.map((u) => u.createdAt)],
      );
    },
    // Fresh statistics: the planner picks the trigram index or the sort's index by how many rows a search matches.
    close: async () => {
      try {
        if (indexes.length > 0) await client.query("SET maintenance_work_mem = '256MB'");
        for (const index of indexes) await client.query(index.sql);
        await client.query('ANALYZE "User"');
      } finally {
        await client.end();
      }
    },
  };
}

/** A writer for `total` generated users (it may set indexes aside for a large run). */
export function bulkUserWriter(target: DatabaseTarget, total: number): Promise<BulkWriter> {
  return target.provider === 'sqlite' ? Promise.resolve(sqliteWriter(target.file, total)) : postgresWriter(target.url, total);
}
