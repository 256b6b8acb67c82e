import 'server-only';
import { provider, type Tx } from '@/lib/server/db';
import { Prisma } from '@/lib/server/generated/prisma/client';
import type { SearchPattern } from '@/lib/shared/directory/keys';
import { TOTAL_CAP } from '@/lib/shared/directory/total';
import type { Role } from '@/lib/shared/roles';

// How the database finds a view's rows without reading every user: the queries Prisma cannot
// write. A search's pattern (keys.ts: a substring of searchKey, or "  " + a word's start in
// wordsKey) is looked up in a trigram index — SQLite's FTS5 table "UserSearch" (MATCH a quoted
// phrase: exactly the substring, as the index is case-sensitive over folded keys), PostgreSQL's
// GIN indexes (LIKE '%…%', which pg_trgm answers from the index and rechecks).

/** The filter of a view: its role, if any, and its search pattern, if any. */
export type ViewFilter = { role: Role | ''; pattern: SearchPattern | null };

/** A walk in a view's order: by `column` then id, both in `direction`, strictly past a row if one is given. */
export type Walk = { column: 'nameKey' | 'email' | 'createdAt'; direction: 'asc' | 'desc'; past: { key: string; id: number } | null; take: number };

/** A column of "User" (or "UserSearch"), by one of the names this file knows. */
const column = (name: SearchPattern['key'] | Walk['column']) => Prisma.raw(`"${name}"`);

const byRole = (role: Role | '') => (role ? Prisma.sql`AND u."role" = ${role}` : Prisma.empty);

/** An FTS5 query for exactly the text: one phrase, quotes doubled. */
const phrase = (text: string) => `"${text.replaceAll('"', '""')}"`;

/**
 * The rows of a view counted up to TOTAL_CAP + 1 and no further (see cappedTotal): a search reads
 * its matches from the trigram index and stops there, a role reads its own index. Never called
 * for the unfiltered view, whose total is the UserCount row.
 */
export async function countView(client: Tx, { role, pattern }: ViewFilter): Promise<number> {
  const cap = TOTAL_CAP + 1;
  let rows: { n: bigint | number }[];
  if (!pattern) {
    rows = await client.$queryRaw`SELECT count(*) AS "n" FROM (SELECT 1 FROM "User" u WHERE u."role" = ${role} LIMIT ${cap}) AS m`;
  } else if (provider === 'sqlite' && !role) {
    rows = await client.$queryRaw`SELECT count(*) AS "n" FROM (SELECT 1 FROM "UserSearch" s WHERE s.${column(pattern.key)} MATCH ${phrase(pattern.text)} LIMIT ${cap}) AS m`;
  } else if (provider === 'sqlite') {
    rows = await client.$queryRaw`SELECT count(*) AS "n" FROM (
      SELECT 1 FROM "UserSearch" s CROSS JOIN "User" u ON u."id" = s."rowid"
      WHERE s.${column(pattern.key)} MATCH ${phrase(pattern.text)} ${byRole(role)} LIMIT ${cap}) AS m`;
  } else {
    rows = await client.$queryRaw`SELECT count(*) AS "n" FROM (
      SELECT 1 FROM "User" u WHERE u.${column(pattern.key)} LIKE ${`%${pattern.text}%`} ${byRole(role)} LIMIT ${cap}) AS m`;
  }
  return Number(rows[0]?.n ?? 0);
}

/** A sort value as SQLite holds it: Prisma's adapter stores a time as ISO 8601 text with an explicit offset. */
const sqliteKey = (walk: Walk, key: string) => (walk.column === 'createdAt' ? new Date(key).toISOString().replace('Z', '+00:00') : key);

/**
 * The ids of a search's matches in the view's order, from the trigram index — for a search with at
 * most TOTAL_CAP matches, which it collects and sorts. SQLite: CROSS JOIN keeps the FTS5 index the
 * outer loop (it would otherwise walk the sort index and test every user). PostgreSQL: the matches
 * are a MATERIALIZED set sorted by value, so the planner cannot walk the sort's index instead. It
 * would, from a guess: it estimates a pattern's matches from the column's histogram, and when a
 * rare name happens to be one of its ~100 bounds it guesses 1% of the users and walks the index
 * expecting a page soon, reading every user for a search with a handful of matches.
 */
export async function matchIds(client: Tx, filter: ViewFilter & { pattern: SearchPattern }, walk: Walk): Promise<number[]> {
  const rows: { id: number }[] = await client.$queryRaw(provider === 'sqlite' ? sqliteMatchIdsSql(filter, walk) : postgresMatchIdsSql(filter, walk));
  return rows.map((row) => Number(row.id));
}

function postgresMatchIdsSql({ role, pattern }: ViewFilter & { pattern: SearchPattern }, walk: Walk): Prisma.Sql {
  const order = Prisma.raw(walk.direction === 'asc' ? 'ASC' : 'DESC');
  let past = Prisma.empty;
  if (walk.past) {
    const [from, beyond] = walk.direction === 'asc' ? ['>=', '>'] : ['<=', '<'];
    // A time as the column holds it: timestamp(3) in UTC, which drops the text's "Z".
    const key = walk.column === 'createdAt' ? Prisma.sql`${walk.past.key}::timestamp(3)` : Prisma.sql`${walk.past.key}`;
    past = Prisma.sql`WHERE m."key" ${Prisma.raw(from)} ${key} AND (m."key" ${Prisma.raw(beyond)} ${key} OR m."id" ${Prisma.raw(beyond)} ${walk.past.id})`;
  }
  return Prisma.sql`WITH m AS MATERIALIZED (
      SELECT u."id", u.${column(walk.column)} AS "key" FROM "User" u WHERE u.${column(pattern.key)} LIKE ${`%${pattern.text}%`} ${byRole(role)})
    SELECT m."id" AS "id" FROM m ${past} ORDER BY m."key" ${order}, m."id" ${order} LIMIT ${walk.take}`;
}

/** The query of matchIds on SQLite, for whichever connection runs it (an export reads on its own: sqlite-walk.ts). */
export function sqliteMatchIdsSql({ role, pattern }: ViewFilter & { pattern: SearchPattern }, walk: Walk): Prisma.Sql {
  return Prisma.sql`SELECT u."id" AS "id" FROM "UserSearch" s CROSS JOIN "User" u ON u."id" = s."rowid"
    WHERE s.${column(pattern.key)} MATCH ${phrase(pattern.text)} ${byRole(role)} ${sqlitePast(walk)}
    ${sqliteOrder(walk)} LIMIT ${walk.take}`;
}

/**
 * SQLite: up to `walk.take` rows of a view in its order walking the sort's index and testing each
 * row (the plan for no search, or one with more than TOTAL_CAP matches): what Prisma's findMany
 * does for the pages, written out for a connection of the export's own (sqlite-walk.ts). A key
 * and a pattern are folded alike (keys.ts: lower case, no LIKE wildcards), so instr() is the
 * match rule exactly.
 */
export function sqliteWalkSql({ role, pattern }: ViewFilter, walk: Walk, columns: readonly string[]): Prisma.Sql {
  const search = pattern ? Prisma.sql`AND instr(u.${column(pattern.key)}, ${pattern.text}) > 0` : Prisma.empty;
  return Prisma.sql`SELECT ${selected(columns)} FROM "User" u WHERE 1 = 1 ${byRole(role)} ${search} ${sqlitePast(walk)} ${sqliteOrder(walk)} LIMIT ${walk.take}`;
}

/** The users `ids` (in no order). */
export function sqliteRowsSql(ids: number[], columns: readonly string[]): Prisma.Sql {
  return Prisma.sql`SELECT ${selected(columns)} FROM "User" u WHERE u."id" IN (${Prisma.join(ids)})`;
}

/** Columns of "User" u, as a SELECT lists them. */
const selected = (columns: readonly string[]) => Prisma.raw(columns.map((name) => `u."${name}"`).join(', '));

/** The walk's order: its column, then id, both one way. */
function sqliteOrder(walk: Walk): Prisma.Sql {
  const order = Prisma.raw(walk.direction === 'asc' ? 'ASC' : 'DESC');
  return Prisma.sql`ORDER BY u.${column(walk.column)} ${order}, u."id" ${order}`;
}

/** The rows strictly past `walk.past` in the walk's order, as a condition (empty from the start). */
function sqlitePast(walk: Walk): Prisma.Sql {
  if (!walk.past) return Prisma.empty;
  const sort = column(walk.column);
  const [from, beyond] = walk.direction === 'asc' ? ['>=', '>'] : ['<=', '<'];
  const key = sqliteKey(walk, walk.past.key);
  return Prisma.sql`AND u.${sort} ${Prisma.raw(from)} ${key} AND (u.${sort} ${Prisma.raw(beyond)} ${key} OR u."id" ${Prisma.raw(beyond)} ${walk.past.id})`;
}
