import 'server-only';
import { db, provider, type Tx } from '@/lib/server/db';
import { decodeCursor, encodeCursor, type Position } from '@/lib/shared/directory/cursor';
import { nameKey, searchKey, searchTerm } from '@/lib/shared/directory/keys';
import { type Sort, sortValue, type View, type ViewParams } from '@/lib/shared/directory/view';
import type { PageDTO, UserDTO, UserEvent } from '@/lib/shared/dto';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from '@/lib/server/errors';
import { hub } from '@/lib/server/events';
import { type Actor, appendEvent, lockEventOrder, newestEventId } from '@/lib/server/events/event-log';
import { Prisma } from '@/lib/server/generated/prisma/client';
import { logger } from '@/lib/server/logger';
import { DUPLICATE_EMAIL_MESSAGE, type UserChanges, type UserInput } from '@/lib/shared/validation';

// The data layer: the only code that reads or writes users. Each change and its event (who made
// it, what it was before and after) are written in one transaction, so no change goes unrecorded
// and no event exists for a change that did not happen; every instance reads its live events from
// that log (lib/server/events/log-hub.ts).

export type { Actor };

type UserRow = { id: number; name: string; email: string; createdAt: Date; updatedAt: Date; version: number };

function toDTO(row: UserRow): UserDTO {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

const DOMAIN_ERRORS = [ConflictError, NotFoundError, PreconditionFailedError];

/**
 * Runs a query, turning the errors a client can cause into domain errors and every other
 * database failure (unreachable, locked, timed out) into ServiceUnavailableError.
 */
async function query<T>(run: () => Promise<T>, known: Record<string, () => Error> = {}): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (DOMAIN_ERRORS.some((type) => error instanceof type)) throw error;
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      const domain = known[error.code];
      if (domain) throw domain();
    }
    logger.error({ err: error }, 'database query failed');
    throw new ServiceUnavailableError();
  }
}

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

/**
 * One page of a view: the rows after (or before) the cursor's row in the view's order, the
 * view's total, and cursors to the pages on either side, as of one event (asOfOneEvent), whose id
 * it carries. Every query is bounded by the page (an index walk) or, for a search, by one scan of
 * the search keys; none reads every row into memory.
 */
export async function listUsers(params: ViewParams): Promise<PageDTO> {
  const view: View = { q: params.q, sort: params.sort, order: params.order };
  const cursorAt: Position | null = params.cursor ? decodeCursor(params.cursor, view) : null;
  const term = searchTerm(view.q);
  const filter: Prisma.UserWhereInput = term ? { searchKey: { contains: term } } : {};
  stats.pageReads++;

  const walkFrom = (position: Position | null): Direction => (position?.direction === 'before' ? flip(view.order) : view.order);
  const rowsFrom = (client: Tx, position: Position | null) =>
    client.user.findMany({
      where: position ? { AND: [filter, pastRow(view.sort, walkFrom(position), position.key, position.id)] } : filter,
      orderBy: orderBy(view.sort, walkFrom(position)),
      take: params.limit + 1,
    });

  return query(async () => {
    const { result, lastEventId } = await asOfOneEvent(async (client) => {
      const [found, total] = await Promise.all([rowsFrom(client, cursorAt), term ? client.user.count({ where: filter }) : allUsers(client)]);
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

/** Pages this process has read from the database (GET /api/users and the dashboard), for /api/metrics. */
const globalForStats = globalThis as typeof globalThis & { rosterUserStats?: { pageReads: number } };
export const stats = (globalForStats.rosterUserStats ??= { pageReads: 0 });

/** One user; NotFoundError when there is none. */
export async function getUser(id: number): Promise<UserDTO> {
  const row = await query(() => db.user.findUnique({ where: { id } }));
  if (!row) throw new NotFoundError(`No user with id ${id}`);
  return toDTO(row);
}

const derivedKeys = (name: string, email: string) => ({ nameKey: nameKey(name), searchKey: searchKey(name, email) });
const duplicateEmail = { P2002: () => new ConflictError({ email: [DUPLICATE_EMAIL_MESSAGE] }) };
const noSuchUser = (id: number) => ({ P2025: () => new NotFoundError(`No user with id ${id}`) });

/** Set only by tests (refused by `npm start`, lib/server/startup.ts): the process dies between a commit and its ring. */
const CRASH_AFTER_COMMIT = process.env.ROSTER_TEST_FAULT === 'crash-after-commit';

/**
 * Makes a change and records its event in one transaction, in commit order (lib/server/events/event-log.ts),
 * then rings the hub and logs who made it. Client-caused failures become domain errors.
 */
async function recorded<T>(
  actor: Actor,
  known: Record<string, () => Error>,
  change: (tx: Tx) => Promise<{ result: T; event: UserEvent }>,
): Promise<T> {
  const { result, event } = await query(
    () =>
      db.$transaction(async (tx) => {
        await lockEventOrder(tx);
        const done = await change(tx);
        await appendEvent(tx, done.event, actor);
        return done;
      }),
    known,
  );
  if (CRASH_AFTER_COMMIT) process.kill(process.pid, 'SIGKILL');
  // Awaited: once the write is acknowledged, this instance's streams and page tags include it (a
  // poll right after its own write must not get a 304 for the page before it). One indexed read.
  await hub.ring();
  const verb = { user_created: 'user created', user_updated: 'user edited', user_deleted: 'user deleted' }[event.type];
  logger.info({ requestId: actor.requestId, principal: actor.principal, userId: event.user.id }, verb);
  return result;
}

/** Inserts a validated user (email already normalised by the schema) and records it. */
export function addUser(input: UserInput, actor: Actor): Promise<UserDTO> {
  return recorded(actor, duplicateEmail, async (tx) => {
    const user = toDTO(await tx.user.create({ data: { name: input.name, email: input.email, ...derivedKeys(input.name, input.email) } }));
    return { result: user, event: { type: 'user_created', user } };
  });
}

/**
 * Changes a user's name and/or email if it is still at `expectedVersion`, raising the version,
 * and records it with what it was before. NotFoundError when the user is gone;
 * PreconditionFailedError (with the user as it is now) when someone else changed it first.
 */
export function editUser(id: number, changes: UserChanges, expectedVersion: number, actor: Actor): Promise<UserDTO> {
  return recorded(actor, { ...duplicateEmail, ...noSuchUser(id) }, async (tx) => {
    // Read under the event-order lock: no other edit can land between this read and the update.
    const row = await tx.user.findUnique({ where: { id } });
    if (!row) throw new NotFoundError(`No user with id ${id}`);
    const previous = toDTO(row);
    if (previous.version !== expectedVersion) throw new PreconditionFailedError(previous);
    const name = changes.name ?? previous.name;
    const email = changes.email ?? previous.email;
    const updated = await tx.user.update({
      // The version in the condition keeps it compare-and-set even without the lock (SQLite).
      where: { id, version: expectedVersion },
      data: { name, email, ...derivedKeys(name, email), version: { increment: 1 } },
    });
    const user = toDTO(updated);
    return { result: user, event: { type: 'user_updated', user, previous } };
  });
}

/** Deletes a user and records it; NotFoundError (and no event) when there is no such user. */
export function removeUser(id: number, actor: Actor): Promise<void> {
  return recorded(actor, noSuchUser(id), async (tx) => {
    const user = toDTO(await tx.user.delete({ where: { id } }));
    return { result: undefined, event: { type: 'user_deleted', id, user } };
  });
}
