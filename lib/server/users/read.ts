import 'server-only';
import { db, provider, query, type Tx } from '@/lib/server/db';
import { decodeCursor, encodeCursor, type Position } from '@/lib/shared/directory/cursor';
import { searchTerm } from '@/lib/shared/directory/keys';
import { type Sort, sortValue, type View, type ViewParams } from '@/lib/shared/directory/view';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { NotFoundError } from '@/lib/server/errors';
import { newestEventId } from '@/lib/server/events/event-log';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import { countPageRead } from '@/lib/server/metrics';
import { toDTO, userSelect } from './fields';

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

/** Whether any row of the view lies past `user` walking in `direction`. */
async function anyPast(tx: Tx, filter: Prisma.UserWhereInput, view: View, direction: Direction, user: UserDTO): Promise<boolean> {
  const row = await tx.user.findFirst({
    where: { AND: [filter, pastRow(view.sort, direction, sortValue(user, view.sort), user.id)] },
    orderBy: orderBy(view.sort, direction),
    select: { id: true },
  });
  return row !== null;
}

/**
 * How many users there are: one row that triggers keep (the user_count migration), so a page of
 * 100,000 users counts nothing. (A search counts its matches: one scan of the search keys, which a
 * substring cannot seek.)
 */
async function allUsers(tx: Tx): Promise<number> {
  return (await tx.userCount.findUniqueOrThrow({ where: { id: 1 } })).count;
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

/** The rows of a view: a role walks its own (role, sort key, id) index; a search reads the search key the sort's index carries. */
function viewFilter(view: Pick<View, 'q' | 'role'>): Prisma.UserWhereInput {
  const term = searchTerm(view.q);
  return { ...(view.role ? { role: view.role } : {}), ...(term ? { searchKey: { contains: term } } : {}) };
}

/**
 * Every user of a view, in its order, `batch` at a time: each batch one walk of the sort's index
 * from the last row of the one before (as the pages are), so an export of a million rows holds one
 * batch in memory and never skips or repeats a row that stays put while it runs.
 */
export async function* walkView(view: View, batch = 1_000): AsyncGenerator<UserDTO[]> {
  const filter = viewFilter(view);
  let after: UserDTO | undefined;
  for (;;) {
    const from = after;
    const rows = await query('export read', () =>
      db.user.findMany({
        where: from ? { AND: [filter, pastRow(view.sort, view.order, sortValue(from, view.sort), from.id)] } : filter,
        orderBy: orderBy(view.sort, view.order),
        take: batch,
        select: userSelect,
      }),
    );
    const users = rows.map(toDTO);
    if (users.length > 0) yield users;
    if (users.length < batch) return;
    after = users.at(-1);
  }
}

/**
 * One page of a view: the rows after (or before) the cursor's row in the view's order, the
 * view's total, and cursors to the pages on either side, as of one event (asOfOneEvent), whose id
 * it carries. Every query is bounded by the page (an index walk) or, for a search, by one scan of
 * the search keys; none reads every row into memory.
 */
export async function listUsers(params: ViewParams): Promise<PageDTO> {
  const view: View = { q: params.q, role: params.role, sort: params.sort, order: params.order };
  const cursorAt: Position | null = params.cursor ? decodeCursor(params.cursor, view) : null;
  const filter = viewFilter(view);
  const filtered = Object.keys(filter).length > 0;
  countPageRead();

  const walkFrom = (position: Position | null): Direction => (position?.direction === 'before' ? flip(view.order) : view.order);
  const rowsFrom = (client: Tx, position: Position | null) =>
    client.user.findMany({
      where: position ? { AND: [filter, pastRow(view.sort, walkFrom(position), position.key, position.id)] } : filter,
      orderBy: orderBy(view.sort, walkFrom(position)),
      take: params.limit + 1,
      select: userSelect,
    });

  return query('page read', async () => {
    const { result, lastEventId } = await asOfOneEvent(async (client) => {
      const [found, total] = await Promise.all([rowsFrom(client, cursorAt), filtered ? client.user.count({ where: filter }) : allUsers(client)]);
      // "Previous" back to the start of the view (nothing before these rows) is the first page, full
      // even when rows before its anchor were deleted: one page of the view whichever link led there,
      // kept live as the first page is (new users appear at the top).
      const atStart = cursorAt?.direction === 'before' && found.length <= params.limit;
      const position = atStart ? null : cursorAt;
      const rows = atStart ? await rowsFrom(client, null) : found;
      const forward = position?.direction !== 'before';
      const more = rows.length > params.limit;
      const users = rows.slice(0, params.limit).map(toDTO);
      if (!forward) users.reverse();
      const first = users[0];
      const last = users.at(-1);
      if (!first || !last) return { users, total, nextCursor: null, prevCursor: null };
      const [hasNext, hasPrev] = await Promise.all([
        forward ? more : anyPast(client, filter, view, view.order, last),
        forward ? position !== null && anyPast(client, filter, view, flip(view.order), first) : more,
      ]);
      return {
        users,
        total,
        nextCursor: hasNext ? encodeCursor(view, 'after', last) : null,
        prevCursor: hasPrev ? encodeCursor(view, 'before', first) : null,
      };
    });
    return { ...result, lastEventId };
  });
}

/** One user; NotFoundError when there is none. */
export async function getUser(id: number): Promise<UserDTO> {
  const row = await query('user read', () => db.user.findUnique({ where: { id }, select: userSelect }));
  if (!row) throw new NotFoundError(`No user with id ${id}`);
  return toDTO(row);
}
