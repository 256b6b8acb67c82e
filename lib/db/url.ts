// Where the database lives. No `server-only` here: prisma.config.ts loads this file too.
import path from 'node:path';

export const DEFAULT_DATABASE_URL = 'file:./data/roster.db';

export type DatabaseTarget = { provider: 'sqlite'; url: string; file: string };

/** Reads DATABASE_URL (default: a SQLite file under ./data) and says which engine it names. */
export function databaseTarget(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): DatabaseTarget {
  if (url.startsWith('file:')) {
    // Relative paths are relative to the working directory (the project root under npm scripts).
    const file = path.resolve(url.slice('file:'.length).replace(/^\/\/(?=\/)/, ''));
    return { provider: 'sqlite', url: `file:${file}`, file };
  }
  throw new Error(`DATABASE_URL must be a SQLite "file:" URL, got "${url.split(':')[0]}:…".`);
}
