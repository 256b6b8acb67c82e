import 'server-only';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { env } from '@/lib/env';
import { databaseTarget } from './url';

function createClient() {
  const target = databaseTarget(env.DATABASE_URL);
  return new PrismaClient({ adapter: new PrismaBetterSqlite3({ url: target.url }) });
}

// One client per process, kept on globalThis so hot reloads and separate bundles share it.
const globalForDb = globalThis as typeof globalThis & { rosterDb?: ReturnType<typeof createClient> };

export const db = (globalForDb.rosterDb ??= createClient());
