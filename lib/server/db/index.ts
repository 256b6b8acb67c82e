import 'server-only';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '@/lib/server/generated/prisma-postgresql/client';
import { env } from '@/lib/server/env';
import { startCheckpointer } from './sqlite-checkpointer';
import { databaseTarget } from './url';

/**
 * The one client type the app sees, whichever database DATABASE_URL names. Prisma Client is
 * generated per provider (prisma/schema.prisma, prisma/postgresql/schema.prisma: the same model).
 * The two client types differ only where PostgreSQL's accepts more (transaction isolation levels,
 * `mode: 'insensitive'`, field references in `in` lists), so a call typed against SQLite's client
 * is valid on both.
 */
type Db = PrismaClient;

function createClient(): Db {
  const target = databaseTarget(env.DATABASE_URL);
  if (target.provider === 'sqlite') {
    const client = new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: target.url }) });
    // While the worker checkpoints, the app's commits only append (lib/server/db/sqlite-checkpointer.ts);
    // they checkpoint themselves again only if the log reaches 20,000 pages (80 MB), a backstop.
    startCheckpointer(target.file, (running) => {
      void client.$queryRawUnsafe(`PRAGMA wal_autocheckpoint = ${running ? 20_000 : 1_000}`).catch(() => undefined);
    });
    return client;
  }
  // The one cast: PostgreSQL's client is not assignable to Db as such (its $transaction takes more
  // isolation levels); every call the app makes through Db is one PostgreSQL's client takes too.
  return new PostgresPrismaClient({ adapter: new PrismaPg({ connectionString: target.url }) }) as Db;
}

// One client per process, kept on globalThis so hot reloads and separate bundles share it.
const globalForDb = globalThis as typeof globalThis & { rosterDb?: Db };

export const db = (globalForDb.rosterDb ??= createClient());

/** Which database this process talks to: the few statements that differ (locks, isolation) ask. */
export const provider = databaseTarget(env.DATABASE_URL).provider;

/** What a transaction's callback gets: the client, without transaction control of its own. */
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

export { type KnownErrors, query } from './query';
