import 'server-only';
import Database from 'better-sqlite3';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import { env } from '@/lib/server/env';
import { databaseTarget } from './url';

// A read-only SQLite connection of its own, for reads that go through every row of a view (an
// export). Through Prisma, each row becomes several objects on the way (the adapter's, the
// client's, ours), and a million of them grew the server by about 300 MB of garbage before V8
// collected it (docs/benchmarks.md); rows read here are the driver's plain objects. WAL lets it
// read beside the app's connection; each statement sees one snapshot, as each of Prisma's does.

const globalForReader = globalThis as typeof globalThis & { rosterSqliteReader?: Database.Database };

function reader(): Database.Database {
  if (globalForReader.rosterSqliteReader) return globalForReader.rosterSqliteReader;
  const target = databaseTarget(env.DATABASE_URL);
  if (target.provider !== 'sqlite') throw new Error('The SQLite reader serves SQLite databases only');
  const connection = new Database(target.file, { readonly: true, fileMustExist: true });
  // A walk reads each page once: a small cache is enough, and stays out of the server's memory.
  connection.pragma('cache_size = -2048');
  return (globalForReader.rosterSqliteReader = connection);
}

/** A value as Prisma's SQLite adapter binds it: a time as ISO 8601 text with an offset, a boolean as 0/1. */
const bindable = (value: unknown) => (value instanceof Date ? value.toISOString().replace('Z', '+00:00') : typeof value === 'boolean' ? Number(value) : value);

/** The rows of a query (Prisma.sql, as the data layer writes them) on the read-only connection. */
export function readRows<T>(query: Prisma.Sql): T[] {
  return reader()
    .prepare<unknown[], T>(query.sql)
    .all(...query.values.map(bindable));
}
