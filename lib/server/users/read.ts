import 'server-only';
import { db, provider, query, type Tx } from '@/lib/server/db';
import { decodeCursor, encodeCursor, type Position } from '@/lib/shared/directory/cursor';
import { searchPattern, searchTerm } from '@/lib/shared/directory/keys';
import { cappedTotal, TOTAL_CAP, type Total } from '@/lib/shared/directory/total';
import { compareInView, type Sort, sortValue, type View, type ViewParams } from '@/lib/shared/directory/view';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { NotFoundError } from '@/lib/server/errors';
import { newestEventId } from '@/lib/server/events/event-log';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import { countPageRead } from '@/lib/server/metrics';
import { toDTO, userSelect } from './fields';
import { countView, matchIds, type ViewFilter } from './search';
import { sqliteWalk } from './sqlite-walk';

// The data layer's reads: keyset pages of a view, as of one event, and single users.

const SORT_COLUMN = { name: 'nameKey', email: 'email', createdAt: 'createdAt' } as const satisfies Record<Sort, string>;

type Direction = 'asc' | 'desc';
const flip = (direction: Direction): Direction => (direction === 'asc' ? 'desc' : 'asc');

/**
 * Rows strictly past `key`/`id` when walking in `direction` (ties broken by id, same way), as
 * `column >= key AND (column > key OR id > id0)` (ascending): the first condition lets both
 * databases seek the (column, id) index to the key instead of scanning up to it.
 */
function pastRow(sort: Sort, direction: Direction, key: string, id: number): Prisma.UserWhereInput {
  const column = SORT_COLUMN[sort];
  const value = sort === 'createdAt' ? new Date(key) : key;
  const [from, beyond] = direction === 'asc' ? (['gte', 'gt'] as const) : (['lte', 'lt'] as const);
  return { AND: [{ [column]: { [from]: value } }, { OR: [{ [column]: { [beyond]: value } }, { id: { [beyond]: id } }] }] };
}

function orderBy(sort: Sort, direction: Direction): Prisma.UserOrderByWithRelationInput[] {
  return [{ [SORT_COLUMN[sort]]: direction }, { id: direction }];
}

/** Up to `take` rows of a view walking in `direction` from its start, or strictly past a row. */
type Reader = (client: Tx, direction: Direction, past: { key: string; id: number } | null, take: number) => Promise<UserDTO[]>;

/**
 * How a view's rows are read. Walking the sort's index and testing each row reads a page's worth
 * of rows times users ÷ matches, so it is for views with more than TOTAL_CAP rows (or none
 * filtered out): a search with fewer (`counted`, up to TOTAL_CAP + 1) collects its matches from
 * the trigram index instead (matchIds) and reads those rows by id. `counted` is null for a view
 * that is no search on PostgreSQL, which walks the role's index whatever it counts.
 */
function reader(view: View, filter: ViewFilter, counted: number | null): Reader {
  const { pattern } = filter;
  if (pattern && counted !== null && counted <= TOTAL_CAP) {
    return async (client, direction, past, take) => {
      const ids = await matchIds(client, { ...filter, pattern }, { column: SORT_COLUMN[view.sort], direction, past, take });
      if (ids.length === 0) return [];
      const rows = await client.user.findMany({ where: { id: { in: ids } }, select: userSelect, take: ids.length });
      const byId = new Map(rows.map((row) => [row.id, toDTO(row)]));
      return ids.flatMap((id) => byId.get(id) ?? []);
    };
  }
  const where = prismaFilter(filter);
  return async (client, direction, past, take) => {
    const rows = await client.user.findMany({
      where: past ? { AND: [where, pastRow(view.sort, direction, past.key, past.id)] } : where,
      orderBy: orderBy(view.sort, direction),
      take,
      select: userSelect,
    });
    return rows.map(toDTO);
  };
}

/**
 * How many users there are: one row that triggers keep (the user_count migration), so a page of
 * 100,000 users counts nothing. A search or a role counts its rows up to TOTAL_CAP + 1 (countView).
 */
async function allUsers(tx: Tx): Promise<number> {
  return (await tx.userCount.findUniqueOrThrow({ where: { id: 1 } })).count;
}

/** A view's total, and the count (up to TOTAL_CAP + 1) that decides how its rows are read. */
async function viewTotal(client: Tx, filter: ViewFilter): Promise<Total & { counted: number }> {
  if (!filter.role && !filter.pattern) {
    const counted = await allUsers(client);
    return { total: counted, totalIsExact: true, counted };
  }
  const counted = await countView(client, filter);
  return { ...cappedTotal(counted), counted };
}

/**
 * Reads as of one event: the result and the newest event id, where the result reflects exactly
 * the changes up to that id. On PostgreSQL it first tries without a transaction — the newest id,
 * the read (its queries in parallel, on the pool), the newest id again — and keeps the result if
 * no write committed meanwhile: every write commits an event, in id order (lib/server/events/event-log.ts), so
 * an unchanged newest id means nothing changed. Under a burst of writes, and always on SQLite
 * (one connection), it reads in one snapshot: REPEATABLE READ, or SQLite's read transaction.
 */
async function asOfOneEvent<T>(read: (client: Tx) => Promise<T>): Promise<{ result: T; lastEventId: number }> {
  if (provider === 'postgresql') {
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = await newestEventId(db);
      const result = await read(db);
      if ((await newestEventId(db)) === before) return { result, lastEventId: before };
    }
  }
  return db.$transaction(async (tx) => {
    if (provider === 'postgresql') await tx.$executeRawUnsafe('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const lastEventId = await newestEventId(tx);
    return { result: await read(tx), lastEventId };
  });
}

/** Whether a view's count decides how its rows are read (see reader): always on SQLite, for a search on PostgreSQL. */
const countDecides = (filter: ViewFilter) => provider === 'sqlite' || filter.pattern !== null;

/** What a view filters by: its role and its search's pattern (keys.ts). */
function viewFilter(view: Pick<View, 'q' | 'role'>): ViewFilter {
  return { role: view.role, pattern: searchPattern(searchTerm(view.q)) };
}

/**
 * The filter as Prisma applies it: a role walks its own (role, sort key, id) index; a search tests
 * the key its pattern is in (LIKE '%…%', which PostgreSQL may answer from its trigram index).
 */
function prismaFilter({ role, pattern }: ViewFilter): Prisma.UserWhereInput {
  return { ...(role ? { role } : {}), ...(pattern ? { [pattern.key]: { contains: pattern.text } } : {}) };
}

/**
 * Every user of a view, in its order, `batch` at a time: each batch one walk of the sort's index
 * (or of a search's matches, see reader) from the last row of the one before (as the pages are),
 * so an export of a million rows holds one batch in memory and never skips or repeats a row that
 * stays put while it runs.
 */
export async function* walkView(view: View, batch = 1_000): AsyncGenerator<UserDTO[]> {
  const filter = viewFilter(view);
  const counted = countDecides(filter) ? (await query('export read', () => viewTotal(db, filter))).counted : null;
  // SQLite: on the driver's own read-only connection, with the pages' plans (sqlite-walk.ts).
  const read: Reader =
    provider === 'sqlite' && counted !== null
      ? async (_client, direction, past, take) => sqliteWalk(filter, { column: SORT_COLUMN[view.sort], direction, past, take }, counted <= TOTAL_CAP)
      : reader(view, filter, counted);
  let after: UserDTO | undefined;
  for (;;) {
    const from = after;
    const users = await query('export read', () => read(db, view.order, from ? { key: sortValue(from, view.sort), id: from.id } : null, batch));
    if (users.length > 0) yield users;
    if (users.length < batch) return;
    after = users.at(-1);
  }
}

/**
 * One page of a view: the rows after (or before) the cursor's row in the view's order, the
 * view's total (exact up to TOTAL_CAP, see cappedTotal), and cursors to the pages on either side,
 * as of one event (asOfOneEvent), whose id it carries. Every query is bounded by the page (an
 * index walk), by TOTAL_CAP + 1 rows of an index (a filtered view's count), or by TOTAL_CAP
 * matches (a search's sorted matches, see reader); none reads every row.
 */
export async function listUsers(params: ViewParams): Promise<PageDTO> {
  const view: View = { q: params.q, role: params.role, sort: params.sort, order: params.order };
  const cursorAt: Position | null = params.cursor ? decodeCursor(params.cursor, view) : null;
  const filter = viewFilter(view);
  countPageRead();

  const walkFrom = (position: Position | null): Direction => (position?.direction === 'before' ? flip(view.order) : view.order);

  return query('page read', async () => {
    const { result, lastEventId } = await asOfOneEvent(async (client) => {
      // PostgreSQL counts a role's view while it reads the page (on the pool); a search needs the count to choose.
      const counting = viewTotal(client, filter).then(({ total, totalIsExact, counted }) => ({ total: { total, totalIsExact }, counted }));
      const read = reader(view, filter, countDecides(filter) ? (await counting).counted : null);
      const rowsFrom = (position: Position | null) => read(client, walkFrom(position), position, params.limit + 1);
      /** Whether any row of the view lies past `user` walking in `direction`. */
      const anyPast = async (direction: Direction, user: UserDTO) => (await read(client, direction, { key: sortValue(user, view.sort), id: user.id }, 1)).length > 0;
      const [found, { total }] = await Promise.all([rowsFrom(cursorAt), counting]);
      // "Previous" back to the start of the view (nothing before these rows) is the first page, full
      // even when rows before its anchor were deleted: one page of the view whichever link led there,
      // kept live as the first page is (new users appear at the top).
      const atStart = cursorAt?.direction === 'before' && found.length <= params.limit;
      const position = atStart ? null : cursorAt;
      const rows = atStart ? await rowsFrom(null) : found;
      const forward = position?.direction !== 'before';
      const more = rows.length > params.limit;
      const users = rows.slice(0, params.limit);
      if (!forward) users.reverse();
      const first = users[0];
      const last = users.at(-1);
      if (!first || !last) return { users, ...total, nextCursor: null, prevCursor: null };
      const [hasNext, hasPrev] = await Promise.all([
        forward ? more : anyPast(view.order, last),
        forward ? position !== null && anyPast(flip(view.order), first) : more,
      ]);
      return {
        users,
        ...total,
        nextCursor: hasNext ? encodeCursor(view, 'after', last) : null,
        prevCursor: hasPrev ? encodeCursor(view, 'before', first) : null,
      };
    });
    return { ...result, lastEventId };
  });
}

/** The users of `ids` that exist (a selection: at most a page), in the view's order. */
export async function usersByIds(ids: number[], view: Pick<View, 'sort' | 'order'>): Promise<UserDTO[]> {
  const rows = await query('users read', () => db.user.findMany({ where: { id: { in: ids } }, select: userSelect, take: ids.length }));
  return rows.map(toDTO).sort((a, b) => compareInView(a, b, view));
}

/** One user; NotFoundError when there is none. */
export async function getUser(id: number): Promise<UserDTO> {
  const row = await query('user read', () => db.user.findUnique({ where: { id }, select: userSelect }));
  if (!row) throw new NotFoundError(`No user with id ${id}`);
  return toDTO(row);
}
