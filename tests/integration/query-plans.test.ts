// The directory's page queries walk an index on both databases. The queries are the ones
// lib/server/users listUsers sends — recorded at the driver adapter while it reads every sort both ways
// (first page, next page, the page before), and searches of every length and kind (a letter, two, a
// common name, a rare one, a domain, none) — and each is EXPLAINed over 50,000 users generated as
// db:seed makes them, with fresh statistics: every read of User rows walks an index of User (on
// SQLite with no sort step; on PostgreSQL, run, reading a page's worth of rows), the unfiltered
// total is the UserCount row, never a count of the table, and no search reads every user: its
// count stops at TOTAL_CAP + 1 matches of the trigram index, its rows are a walk of the sort's
// index (more than TOTAL_CAP matches) or the matches sorted (fewer). So a lost index or a reshaped
// query fails here rather than as a slow dashboard at scale (docs/directory.md shows these plans
// at 1,000,000 users).
import path from 'node:path';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapterFactory, SqlQuery } from '@prisma/driver-adapter-utils';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseTarget } from '@/lib/server/db/url';
import { SORTS } from '@/lib/shared/directory/view';
import { PrismaClient } from '@/lib/server/generated/prisma/client';
import { PrismaClient as PostgresPrismaClient } from '@/lib/server/generated/prisma-postgresql/client';
import { TOTAL_CAP } from '@/lib/shared/directory/total';
import { bulkUserWriter, generatedUser } from '@/prisma/tooling/bulk-users';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { tempDir } from '../support/server';
import { servicesUp } from '../support/services';

const USERS = 50_000;

/**
 * Searches of every length, each dense (more than TOTAL_CAP matches: a walk of the sort's index) or
 * sparse (at most TOTAL_CAP: the matches, sorted) among USERS generated users. At 1,000,000 users
 * "ada" and "ad" are dense too; the plans of both kinds are the same at any size.
 */
const SEARCHES = {
  e: 'dense', // one letter: every email's "example"
  q: 'sparse', // one letter no word starts with
  us: 'dense', // two letters: every email's "user…"
  ad: 'sparse', // two letters: one first name in 24
  zq: 'sparse',
  'example.com': 'dense', // a domain
  ada: 'sparse', // a common name
  'edsger dijkstra': 'sparse', // a rare name: one in 576
  user4999: 'sparse', // part of a few emails
  zzzq: 'sparse', // none
} as const satisfies Record<string, 'dense' | 'sparse'>;

/** USERS users as db:seed generates them, through its own writer (which also builds the search index). */
async function generateUsers(databaseUrl: string): Promise<void> {
  const writer = await bulkUserWriter(databaseTarget(databaseUrl), USERS);
  try {
    for (let offset = 0; offset < USERS; offset += 5_000) {
      await writer.write(Array.from({ length: 5_000 }, (_, i) => generatedUser(offset + i, { total: USERS, run: 'plans', until: Date.parse('2026-01-01') })));
    }
  } finally {
    await writer.close();
  }
}

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

type Queries = { pages: Recorded[]; searches: Record<keyof typeof SEARCHES, Recorded[]> };

/**
 * The queries listUsers sends for every sort both ways (the first page, the next one and the page
 * before that) and for each search in two orders (its first page, the next, and back), on the
 * database at `databaseUrl` through `client` (which lib/server/db then uses: it keeps its client on
 * globalThis).
 */
async function listUsersQueries(databaseUrl: string, client: (recorded: Recorded[]) => PrismaClient): Promise<Queries> {
  const recorded: Recorded[] = [];
  const searches: Partial<Queries['searches']> = {};
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
      }
    }
    const pages = recorded.splice(0);
    for (const q of Object.keys(SEARCHES) as (keyof typeof SEARCHES)[]) {
      for (const [sort, order] of [['createdAt', 'desc'], ['name', 'asc']] as const) {
        const first = await listUsers({ q, role: '', sort, order, limit: 50 });
        expect(first.totalIsExact, q).toBe(SEARCHES[q] === 'sparse');
        if (!first.nextCursor) continue;
        const second = await listUsers({ q, role: '', sort, order, limit: 50, cursor: first.nextCursor });
        await listUsers({ q, role: '', sort, order, limit: 50, cursor: second.prevCursor ?? undefined });
      }
      searches[q] = recorded.splice(0);
    }
    return { pages, searches: searches as Queries['searches'] };
  } finally {
    await global.rosterDb.$disconnect();
    delete global.rosterDb;
    process.env.DATABASE_URL = saved;
    vi.resetModules();
  }
}

/** Reads of User rows (pages, and the looks past their edges), which must walk an index in order. */
const rowReads = (recorded: Recorded[]) => recorded.filter(({ sql }) => /FROM [`"](main|public)[`"]\.[`"]User[`"]/.test(sql) && /ORDER BY/.test(sql));

/** Counts of User rows that no search filters: there must be none (the total is the UserCount row). */
const unfilteredCounts = (recorded: Recorded[]) => recorded.filter(({ sql }) => /COUNT\(/.test(sql) && !/LIKE/.test(sql));

/** The reads of User rows, and of the search index, that a search sends (not the event log's or UserCount's). */
const searchReads = (recorded: Recorded[]) => recorded.filter(({ sql }) => /FROM [`"](main|public)[`"]\.[`"]User[`"]|FROM "(User|UserSearch)"/.test(sql));

const searchList = Object.entries(SEARCHES) as [keyof typeof SEARCHES, 'dense' | 'sparse'][];

describe('query plans on SQLite', () => {
  let file: string;
  let remove: () => Promise<void>;
  let queries: Queries;

  beforeAll(async () => {
    const scratch = await tempDir('query-plans');
    remove = scratch.remove;
    file = path.join(scratch.dir, 'plans.db');
    await applyMigrations(databaseTarget(`file:${file}`));
    await generateUsers(`file:${file}`);
    const db = new Database(file);
    db.exec('ANALYZE');
    db.close();
    queries = await listUsersQueries(`file:${file}`, (into) => new PrismaClient({ adapter: recording(new PrismaBetterSqlite3({ url: `file:${file}` }), into) }));
  }, 60_000);
  afterAll(async () => {
    await remove();
  });

  /** EXPLAIN QUERY PLAN of a recorded query, its steps joined by " | ". */
  function planOf(db: Database.Database, { sql, args }: Recorded): string {
    // Values as the adapter binds them (a DateTime is ISO 8601 text); the plan does not depend on them.
    const values = args.map((arg) => (arg instanceof Date ? arg.toISOString().replace('Z', '+00:00') : arg));
    return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...values) as { detail: string }[]).map((row) => row.detail).join(' | ');
  }

  it('walks an index for every page of every sort, with no sort step', () => {
    const reads = rowReads(queries.pages);
    expect(reads.length).toBeGreaterThanOrEqual(6 * 4);
    const db = new Database(file, { readonly: true });
    try {
      for (const read of reads) {
        const plan = planOf(db, read);
        expect(plan, read.sql).toMatch(/USING (COVERING )?INDEX User_(nameKey_id|createdAt_id|email_id|email_key)/);
        expect(plan, read.sql).not.toMatch(/TEMP B-TREE/);
      }
    } finally {
      db.close();
    }
  });

  // A search reads the FTS5 index for its count (stopping at TOTAL_CAP + 1) and, with at most
  // TOTAL_CAP matches, for its rows (sorted: at most TOTAL_CAP of them), then users by id; with
  // more, it walks the sort's index, where matches are at least TOTAL_CAP in USERS.
  it.each(searchList)('never scans the users for the search %j (%s), whatever its length', (q, kind) => {
    const reads = searchReads(queries.searches[q]);
    const db = new Database(file, { readonly: true });
    try {
      const plans = reads.map((read) => ({ sql: read.sql, plan: planOf(db, read) }));
      const counts = plans.filter(({ sql }) => /count\(\*\)/i.test(sql));
      expect(counts.length, q).toBeGreaterThan(0);
      for (const { sql, plan } of counts) {
        expect(plan, sql).toMatch(/SCAN s VIRTUAL TABLE INDEX \d+:M/);
        expect(sql).toMatch(/LIMIT/);
      }
      for (const { sql, plan } of plans) {
        // A full scan of User reads every row; SQLite shows it as SCAN without an index.
        expect(plan, sql).not.toMatch(/SCAN (main\.)?(User|u)( \||$)/);
        const walk = /SCAN (main\.)?(User|u) USING/.test(plan);
        if (kind === 'sparse') expect(walk, `${sql}\n${plan}`).toBe(false);
        if (walk) {
          expect(plan, sql).toMatch(/USING (COVERING )?INDEX User_(nameKey_id|createdAt_id)/);
          expect(plan, sql).not.toMatch(/TEMP B-TREE/);
        }
        if (/MATCH/.test(sql)) expect(plan, sql).toMatch(/SCAN s VIRTUAL TABLE INDEX \d+:M/);
      }
      if (kind === 'dense') expect(plans.some(({ plan }) => /SCAN (main\.)?User USING/.test(plan)), q).toBe(true);
    } finally {
      db.close();
    }
  });

  it('reads the unfiltered total from the UserCount row, which equals the users', () => {
    expect(unfilteredCounts(queries.pages)).toEqual([]);
    expect(queries.pages.some(({ sql }) => /FROM `main`\.`UserCount`/.test(sql))).toBe(true);
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
  let queries: Queries;

  beforeAll(async () => {
    database = await freshDatabase('query_plans');
    await applyMigrations(databaseTarget(database.url));
    // The writer ends with ANALYZE, as db:seed does.
    await generateUsers(database.url);
    // PostgreSQL's client is typed apart; lib/server/db casts it to the one client type the same way.
    queries = await listUsersQueries(
      database.url,
      (into) => new PostgresPrismaClient({ adapter: recording(new PrismaPg({ connectionString: database.url }), into) }) as unknown as PrismaClient,
    );
  }, 120_000);
  afterAll(async () => {
    await database?.drop();
  });

  type PlanNode = {
    'Node Type': string;
    'Index Name'?: string;
    'Actual Rows': number;
    'Rows Removed by Filter'?: number;
    'Rows Removed by Index Recheck'?: number;
    Plans?: PlanNode[];
  };
  const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];
  const rowsRead = (node: PlanNode) => node['Actual Rows'] + (node['Rows Removed by Filter'] ?? 0) + (node['Rows Removed by Index Recheck'] ?? 0);

  async function scansOf(client: pg.Client, { sql, args }: Recorded, { atScale = false } = {}): Promise<PlanNode[]> {
    await client.query(`SET enable_seqscan = ${atScale ? 'off' : 'on'}`);
    const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, args);
    return nodes(rows[0]!['QUERY PLAN'][0].Plan).filter((node) => node['Node Type'].endsWith('Scan'));
  }

  // PostgreSQL plans by cost with the actual values: a look past a page's edge near the start of a
  // view may take the unique email index and sort the few rows it finds. What must hold is what the
  // plan reads, run for real: an index of User, and rows in the order of a page, not of the table.
  it('walks an index for every page of every sort, reading a page’s worth of rows', async () => {
    const reads = rowReads(queries.pages);
    expect(reads.length).toBeGreaterThanOrEqual(6 * 4);
    await withClient(database.url, async (client) => {
      for (const read of reads) {
        const scans = await scansOf(client, read);
        expect(scans.map((node) => node['Index Name']), read.sql).toEqual([expect.stringMatching(/^User_(nameKey_id|createdAt_id|email_id|email_key)/)]);
        expect(scans.reduce((sum, node) => sum + rowsRead(node), 0), read.sql).toBeLessThanOrEqual(500);
      }
    });
  });

  // A search with few matches reads them from the trigram index (then sorted); the planner picks
  // by the statistics how one with many is read: by walking the sort's index or the table until it
  // has a page, or its count's TOTAL_CAP + 1. Either way no step reads more than TOTAL_CAP + 1 rows. At 50,000 users
  // reading the whole table costs the planner less than starting on a GIN index, which it does
  // from a few hundred thousand on (docs/directory.md: the plans at 1,000,000): sparse searches are
  // planned as at that scale, with sequential scans priced out (enable_seqscan = off).
  it.each(searchList)('never scans the users for the search %j (%s), whatever its length', async (q, kind) => {
    const reads = searchReads(queries.searches[q]);
    expect(reads.length, q).toBeGreaterThan(0);
    await withClient(database.url, async (client) => {
      for (const read of reads) {
        const scans = await scansOf(client, read, { atScale: kind === 'sparse' });
        for (const node of scans) expect(rowsRead(node), `${read.sql}\n${JSON.stringify(node)}`).toBeLessThanOrEqual(TOTAL_CAP + 1);
        // A sparse search's count and its matches both come from the trigram index, whatever the
        // planner guesses of the pattern (the matches are a MATERIALIZED set: search.ts matchIds).
        if (kind === 'sparse' && /count\(\*\)|MATERIALIZED/i.test(read.sql)) {
          expect(scans.map((node) => node['Index Name'] ?? node['Node Type']), read.sql).toContainEqual(expect.stringMatching(/^User_(searchKey|wordsKey)_trgm_idx$/));
        }
      }
    });
  });

  it('reads the unfiltered total from the UserCount row, which equals the users', async () => {
    expect(unfilteredCounts(queries.pages)).toEqual([]);
    expect(queries.pages.some(({ sql }) => /FROM "public"\."UserCount"/.test(sql))).toBe(true);
    await withClient(database.url, async (client) => {
      expect((await client.query('SELECT "count" FROM "UserCount"')).rows).toEqual([{ count: USERS }]);
    });
  });
});
