import 'server-only';
// Where the database lives, and which engine DATABASE_URL names. Read by the app (lib/server/db) and by
// the migration tooling (prisma/tooling), which runs with the react-server condition for this marker.
import path from 'node:path';

export const DEFAULT_DATABASE_URL = 'file:./data/roster.db';

export type SqliteTarget = { provider: 'sqlite'; url: string; file: string };
export type PostgresTarget = { provider: 'postgresql'; url: string };
export type DatabaseTarget = SqliteTarget | PostgresTarget;
export type DatabaseProvider = DatabaseTarget['provider'];

/** Reads DATABASE_URL (default: a SQLite file under ./data) and says which engine it names. */
export function databaseTarget(url: `file:${string}`): SqliteTarget;
export function databaseTarget(url?: string): DatabaseTarget;
export function databaseTarget(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): DatabaseTarget {
  if (url.startsWith('file:')) {
    // Relative paths are relative to the working directory (the project root under npm scripts).
    const file = path.resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''));
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: 'postgresql', url };
  // Only the scheme goes into the message, and only where it cannot be a user name (`user:pw@host`):
  // the rest of a URL may hold a password.
  const [, scheme, slashes = ''] = /^([a-z][a-z0-9+.-]*:)(\/\/)?/i.exec(url) ?? [];
  const shown = scheme && (slashes || !url.includes('@')) ? `"${scheme}${slashes}…"` : 'something else (not shown: it may hold a password)';
  throw new Error(`DATABASE_URL must be a SQLite "file:" URL or a PostgreSQL "postgresql://" URL, got ${shown}.`);
}
