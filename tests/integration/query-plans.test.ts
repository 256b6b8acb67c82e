// The directory's page queries walk an index on both databases. The queries are the ones
// lib/server/users listUsers sends — recorded at the driver adapter while it reads every sort both ways
// (first page, next page, the page before) and a search in each order — and each is EXPLAINed over
// 50,000 generated users with fresh statistics: every read of User rows walks an index of User (on
// SQLite with no sort step; on PostgreSQL, run, reading a page's worth of rows), and the unfiltered
// total is the UserCount row, never a count of the table. So a lost
// index or a reshaped query fails here rather than as a slow dashboard at scale (docs/directory.md).
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTarget } from '@/lib/server/db/url';
import { SORTS } from '@/lib/shared/directory/view';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '@/lib/server/generated/prisma-postgresql/client';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { tempDir } from '../support/server';
import { servicesUp } from '../support/services';

const USERS = 50_000;

type Recorded = { sql: string; args: unknown[] };
type Method = (...args: unknown[]) => unknown;

/** Wraps a queryable (an adapter, or a transaction it starts) so each query it runs is recorded. */
function recordingQueries<T extends object>(queryable: T, into: Recorded[]): T {
  return new Proxy(queryable, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const method = (value as Method).bind(target);
      if (key === 'queryRaw') {
        return (query: SqlQuery) => {
          into.push({ sql: query.sql, args: query.args });
          return method(query);
        };
      }
      if (key === 'startTransaction') return async (...args: unknown[]) => recordingQueries((await method(...args)) as object, into);
      return method;
    },
  });
}

function recording(factory: SqlDriverAdapterFactory, into: Recorded[]): SqlDriverAdapterFactory {
  return { provider: factory.provider, adapterName: factory.adapterName, connect: async () => recordingQueries(await factory.connect(), into) };
}

/**
 * The queries listUsers sends for every sort both ways (the first page, the next one and the page
 * before that) and for a search in each order, on the database at `databaseUrl` through `client`
 * (which lib/server/db then uses: it keeps its client on globalThis).
 */
async function listUsersQueries(databaseUrl: string, client: (recorded: Recorded[]) => PrismaClient): Promise<Recorded[]> {
  const recorded: Recorded[] = [];
  const global = globalThis as typeof globalThis & { rosterDb?: PrismaClient };
  const saved = process.env.DATABASE_URL;
  process.env.DATABASE_URL = databaseUrl;
  vi.resetModules();
  global.rosterDb = client(recorded);
  try {
    const { listUsers } = await import('@/lib/server/users');
    for (const sort of SORTS) {
      for (const order of ['asc', 'desc'] as const) {
        const first = await listUsers({ q: '', role: '', sort, order, limit: 50 });
        const second = await listUsers({ q: '', role: '', sort, order, limit: 50, cursor: first.nextCursor ?? undefined });
        await listUsers({ q: '', role: '', sort, order, limit: 50, cursor: second.nextCursor ?? undefined });
        await listUsers({ q: '', role: '', sort, order, limit: 50, cursor: second.prevCursor ?? undefined });
        await listUsers({ q: 'ada', role: '', sort, order, limit: 50 });
      }
    }
  } finally {
    await global.rosterDb.$disconnect();
    delete global.rosterDb;
    process.env.DATABASE_URL = saved;
    vi.resetModules();
  }
  return recorded;
}

/** Reads of User rows (pages, and the looks past their edges), which must walk an index in order. */
const rowReads = (recorded: Recorded[]) => recorded.filter(({ sql }) => /FROM [`"](main|public)[`"]\.[`"]User[`"]/.test(sql) && /ORDER BY/.test(sql));

/** Counts of User rows that no search filters: there must be none (the total is the UserCount row). */
const unfilteredCounts = (recorded: Recorded[]) => recorded.filter(({ sql }) => /COUNT\(/.test(sql) && !/LIKE/.test(sql));

describe('query plans on SQLite', () => {
  let file: string;
  let remove: () => Promise<void>;
  let recorded: Recorded[];

  beforeAll(async () => {
    const scratch = await tempDir('query-plans');
    remove = scratch.remove;
    file = path.join(scratch.dir, 'plans.db');
    await applyMigrations(databaseTarget(`file:${file}`));
    const db = new Database(file);
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${USERS})
      INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt")
      SELECT 'Ada Lovelace ' || i, 'user' || i || '@example.com', 'ada lovelace ' || i, 'ada lovelace ' || i || char(10) || 'user' || i || '@example.com',
             strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 1700000000 + i * 60, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 1700000000 + i * 60, 'unixepoch')
      FROM n;
      ANALYZE;`);
    db.close();
    recorded = await listUsersQueries(`file:${file}`, (into) => new PrismaClient({ adapter: recording(new PrismaBetterSqlite3({ url: `file:${file}` }), into) }));
  });
  afterAll(async () => {
    await remove();
  });

  it('walks an index for every page of every sort and for searches, with no sort step', () => {
    const reads = rowReads(recorded);
    expect(reads.length).toBeGreaterThanOrEqual(6 * 5);
    const db = new Database(file, { readonly: true });
    try {
      for (const { sql, args } of reads) {
        // Values as the adapter binds them (a DateTime is ISO 8601 text); the plan does not depend on them.
        const values = args.map((arg) => (arg instanceof Date ? arg.toISOString().replace('Z', '+00:00') : arg));
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]).map((row) => row.detail).join(' | ');
        expect(plan, sql).toMatch(/USING (COVERING )?INDEX User_(nameKey_id|createdAt_id|email_id|email_key)/);
        expect(plan, sql).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      db.close();
    }
  });

  it('reads the unfiltered total from the UserCount row, which equals the users', () => {
    expect(unfilteredCounts(recorded)).toEqual([]);
    expect(recorded.some(({ sql }) => /FROM `main`\.`UserCount`/.test(sql))).toBe(true);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT "count" FROM "UserCount"').pluck().get()).toBe(USERS);
    } finally {
      db.close();
    }
  });
});

describe.skipIf(!(await servicesUp('postgres')))('query plans on PostgreSQL', () => {
  let database: TestDatabase;
  let recorded: Recorded[];

  beforeAll(async () => {
    database = await freshDatabase('query_plans');
    await applyMigrations(databaseTarget(database.url));
    await withClient(database.url, async (client) => {
      await client.query(`INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt")
        SELECT 'Ada Lovelace ' || i, 'user' || i || '@example.com', 'ada lovelace ' || i, 'ada lovelace ' || i || chr(10) || 'user' || i || '@example.com',
               timestamp '2023-11-14 22:13:20' + i * interval '1 minute', timestamp '2023-11-14 22:13:20' + i * interval '1 minute'
        FROM generate_series(1, ${USERS}) AS i`);
      await client.query('ANALYZE "User"');
    });
    // PostgreSQL's client is typed apart; lib/server/db casts it to the one client type the same way.
    recorded = await listUsersQueries(
      database.url,
      (into) => new PostgresPrismaClient({ adapter: recording(new PrismaPg({ connectionString: database.url }), into) }) as unknown as PrismaClient,
    );
  });
  afterAll(async () => {
    await database?.drop();
  });

  type PlanNode = { 'Node Type': string; 'Index Name'?: string; 'Actual Rows': number; 'Rows Removed by Filter'?: number; Plans?: PlanNode[] };
  const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

  // PostgreSQL plans by cost with the actual values: a look past a page's edge near the start of a
  // view may take the unique email index and sort the few rows it finds. What must hold is what the
  // plan reads, run for real: an index of User, and rows in the order of a page, not of the table.
  it('walks an index for every page of every sort and for searches, reading a page’s worth of rows', async () => {
    const reads = rowReads(recorded);
    expect(reads.length).toBeGreaterThanOrEqual(6 * 5);
    await withClient(database.url, async (client) => {
      for (const { sql, args } of reads) {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, args);
        const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
        const scans = plan.filter((node) => node['Node Type'].endsWith('Scan'));
        expect(scans.map((node) => node['Index Name']), sql).toEqual([expect.stringMatching(/^User_(nameKey_id|createdAt_id|email_id|email_key)/)]);
        const read = scans.reduce((sum, node) => sum + node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0), 0);
        expect(read, sql).toBeLessThanOrEqual(500);
      }
    });
  });

  it('reads the unfiltered total from the UserCount row, which equals the users', async () => {
    expect(unfilteredCounts(recorded)).toEqual([]);
    expect(recorded.some(({ sql }) => /FROM "public"\."UserCount"/.test(sql))).toBe(true);
    await withClient(database.url, async (client) => {
      expect((await client.query('SELECT "count" FROM "UserCount"')).rows).toEqual([{ count: USERS }]);
    });
  });
});
