// The directory's page queries walk an index on both databases: each sort, both ways, first page
// and keyset page, and a search walking the view's order, without a sort step; the unfiltered total
// is one row. The SQL is the shape Prisma sends for lib/users.ts listUsers (seen in PostgreSQL's
// statement log); the planners decide on 50,000 generated users with fresh statistics, so a lost
// or reshaped index fails here rather than as a slow dashboard at scale (docs/directory.md).
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTarget } from '@/lib/db/url';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { tempDir } from '../support/server';
import { servicesUp } from '../support/services';

const USERS = 50_000;
const SORTS = { name: '"nameKey"', email: '"email"', createdAt: '"createdAt"' } as const;
const COLUMNS = '"id", "name", "email", "nameKey", "searchKey", "createdAt", "updatedAt", "version"';

type Query = { label: string; sql: string; params: string[] };

/** The queries of one page of each view, with `$n` placeholders, in order (SQLite takes them as `?`). */
function pageQueries(key: (sort: keyof typeof SORTS) => string): Query[] {
  const queries: Query[] = [];
  for (const [sort, column] of Object.entries(SORTS) as [keyof typeof SORTS, string][]) {
    for (const order of ['ASC', 'DESC'] as const) {
      const [from, beyond] = order === 'ASC' ? ['>=', '>'] : ['<=', '<'];
      const orderBy = `ORDER BY ${column} ${order}, "id" ${order} LIMIT 51`;
      queries.push(
        { label: `${sort} ${order} first page`, sql: `SELECT ${COLUMNS} FROM "User" WHERE 1=1 ${orderBy}`, params: [] },
        {
          label: `${sort} ${order} keyset page`,
          sql: `SELECT ${COLUMNS} FROM "User" WHERE (${column} ${from} $1 AND (${column} ${beyond} $2 OR "id" ${beyond} $3)) ${orderBy}`,
          params: [key(sort), key(sort), '25000'],
        },
        // A common term: the planner walks the view's order and stops after 51 matches.
        { label: `${sort} ${order} search`, sql: `SELECT ${COLUMNS} FROM "User" WHERE "searchKey" LIKE ('%' || $1 || '%') ${orderBy}`, params: ['ada'] },
      );
    }
  }
  return queries;
}

const keyOf = (sort: keyof typeof SORTS, createdAt: string) => (sort === 'name' ? 'ada lovelace 25000' : sort === 'email' ? 'user25000@example.com' : createdAt);

describe('query plans on SQLite', () => {
  let db: Database.Database;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const scratch = await tempDir('query-plans');
    remove = scratch.remove;
    const target = databaseTarget(`file:${path.join(scratch.dir, 'plans.db')}`);
    await applyMigrations(target);
    db = new Database(path.join(scratch.dir, 'plans.db'));
    db.exec(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${USERS})
      INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt")
      SELECT 'Ada Lovelace ' || i, 'user' || i || '@example.com', 'ada lovelace ' || i, 'ada lovelace ' || i || ' user' || i || '@example.com',
             strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 1700000000 + i * 60, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%S.000+00:00', 1700000000 + i * 60, 'unixepoch')
      FROM n;
      ANALYZE;`);
  });
  afterAll(async () => {
    db.close();
    await remove();
  });

  const plan = (sql: string, params: string[]) =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql.replace(/\$\d/g, '?')}`).all(...params) as { detail: string }[]).map((row) => row.detail).join(' | ');

  it('walks an index for every page of every sort and for searches, with no sort step', () => {
    for (const { label, sql, params } of pageQueries((sort) => keyOf(sort, '2024-01-01T00:00:00.000+00:00'))) {
      const detail = plan(sql, params);
      expect(detail, label).toMatch(/USING (COVERING )?INDEX User_(nameKey_id|createdAt_id|email_id|email_key)/);
      expect(detail, label).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('reads the unfiltered total from one row, and keeps it equal to the users', () => {
    expect(plan('SELECT "count" FROM "UserCount" WHERE "id" = 1', [])).toMatch(/USING INTEGER PRIMARY KEY/);
    expect(db.prepare('SELECT "count" FROM "UserCount"').pluck().get()).toBe(USERS);
  });
});

describe.skipIf(!(await servicesUp('postgres')))('query plans on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await freshDatabase('query_plans');
    await applyMigrations(databaseTarget(database.url));
    await withClient(database.url, async (client) => {
      await client.query(`INSERT INTO "User" ("name", "email", "nameKey", "searchKey", "createdAt", "updatedAt")
        SELECT 'Ada Lovelace ' || i, 'user' || i || '@example.com', 'ada lovelace ' || i, 'ada lovelace ' || i || ' user' || i || '@example.com',
               timestamp '2023-11-14 22:13:20' + i * interval '1 minute', timestamp '2023-11-14 22:13:20' + i * interval '1 minute'
        FROM generate_series(1, ${USERS}) AS i`);
      await client.query('ANALYZE "User"');
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
  const nodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodes)];

  it('walks an index for every page of every sort and for searches, with no sort step', async () => {
    await withClient(database.url, async (client) => {
      for (const { label, sql, params } of pageQueries((sort) => keyOf(sort, '2024-01-01 00:00:00'))) {
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`EXPLAIN (FORMAT JSON) ${sql}`, params);
        const plan = nodes(rows[0]!['QUERY PLAN'][0].Plan);
        expect(plan.map((node) => node['Node Type']), label).not.toContain('Sort');
        expect(plan.map((node) => node['Index Name']).filter(Boolean), label).toEqual([expect.stringMatching(/^User_(nameKey_id|createdAt_id|email_id|email_key)/)]);
      }
    });
  });

  it('reads the unfiltered total from one row, and keeps it equal to the users', async () => {
    await withClient(database.url, async (client) => {
      expect((await client.query('SELECT "count" FROM "UserCount"')).rows).toEqual([{ count: USERS }]);
    });
  });
});
