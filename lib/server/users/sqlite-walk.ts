import 'server-only';
import { readRows } from '@/lib/server/db/sqlite-reader';
import type { UserDTO } from '@/lib/shared/dto';
import { asRole } from '@/lib/shared/roles';
import { USER_FIELDS, type UserField, userFieldsOf } from '@/lib/shared/validation';
import { sqliteMatchIdsSql, sqliteRowsSql, sqliteWalkSql, type ViewFilter, type Walk } from './search';

// A view's rows on SQLite for an export, read on the driver's own read-only connection
// (lib/server/db/sqlite-reader.ts) with the same plans as the pages (read.ts): a search with at
// most TOTAL_CAP matches collects them from the FTS5 index, anything else walks the sort's index.

const COLUMNS = ['id', 'createdAt', 'updatedAt', 'version', ...USER_FIELDS] as const;
/** A row as better-sqlite3 returns it: times as text (or, written by CURRENT_TIMESTAMP, text without an offset). */
type Row = { id: number; createdAt: string; updatedAt: string; version: number } & Record<UserField, string>;

/** A time as SQLite holds it (Prisma's ISO 8601 text, or CURRENT_TIMESTAMP's UTC text) as ISO 8601 in UTC. */
const isoTime = (value: string) => new Date(/[Zz+]|-\d\d:?\d\d$/.test(value.slice(10)) ? value : `${value.replace(' ', 'T')}Z`).toISOString();

function toDTO(row: Row): UserDTO {
  return {
    ...userFieldsOf({ ...row, role: asRole(row.role) }),
    id: Number(row.id),
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
    version: Number(row.version),
  };
}

/** Up to `walk.take` users of the view filtered by `filter`, in the walk's order; `collect` when its matches are at most TOTAL_CAP. */
export function sqliteWalk(filter: ViewFilter, walk: Walk, collect: boolean): UserDTO[] {
  const { pattern } = filter;
  if (pattern && collect) {
    const ids = readRows<{ id: number }>(sqliteMatchIdsSql({ ...filter, pattern }, walk)).map((row) => Number(row.id));
    if (ids.length === 0) return [];
    const byId = new Map(readRows<Row>(sqliteRowsSql(ids, COLUMNS)).map((row) => [Number(row.id), toDTO(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }
  return readRows<Row>(sqliteWalkSql(filter, walk, COLUMNS)).map(toDTO);
}
