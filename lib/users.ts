import 'server-only';
import { db } from './db';
import { decodeCursor, encodeCursor, type Position } from './directory/cursor';
import { nameKey, searchKey, searchTerm } from './directory/keys';
import { type Sort, sortValue, type View, type ViewParams } from './directory/view';
import type { PageDTO, UserDTO } from './dto';
import {
  ConflictError,
  NotFoundError,
  PreconditionFailedError,
  ServiceUnavailableError,
} from './errors';
import { hub } from './events';
import { Prisma } from './generated/prisma/client';
import { log } from './log';
import { DUPLICATE_EMAIL_MESSAGE, type UserChanges, type UserInput } from './validation';

// The data layer: the only code that reads or writes users, and the one place that publishes
// their changes, after the write committed, whether the change came from an action or the API.

/** Who asked for a write, for the log: a principal (lib/auth), never a secret, and the request. */
export type Actor = { principal: string; requestId: string };

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
    log.error({ err: error }, 'database query failed');
    throw new ServiceUnavailableError();
  }
}

/**
 * Writes of this process between their start and their publish. A write commits before its
 * event is published, so a page read in that gap would hold the row but name an older event id,
 * and a client would count the write's event on top of it (totals off by one). Pages are read
 * while no write is in flight here; a write from another instance (with Redis) can still land in
 * that gap — the event log in the database will close it.
 */
type WriteGate = { started: number; inFlight: number; idle: (() => void)[] };
const globalForWrites = globalThis as typeof globalThis & { rosterWrites?: WriteGate };
const writes = (globalForWrites.rosterWrites ??= { started: 0, inFlight: 0, idle: [] });

async function write<T>(work: () => Promise<T>): Promise<T> {
  writes.started++;
  writes.inFlight++;
  try {
    return await work();
  } finally {
    if (--writes.inFlight === 0) for (const resolve of writes.idle.splice(0)) resolve();
  }
}

/** Resolves when no write is in flight, or after `GATE_WAIT_MS` (a write stuck on a locked database must not hold every read). */
function noWriteInFlight(): Promise<void> {
  if (writes.inFlight === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, GATE_WAIT_MS);
    writes.idle.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const GATE_WAIT_MS = 250;

/** Tries to read with no write of this process starting meanwhile; after a few tries, reads anyway. */
async function betweenWrites<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await noWriteInFlight();
    if (writes.inFlight > 0) continue;
    const started = writes.started;
    const result = await read();
    if (writes.started === started) return result;
  }
  return read();
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
async function anyPast(filter: Prisma.UserWhereInput, view: View, direction: Direction, user: UserDTO): Promise<boolean> {
  const row = await db.user.findFirst({
    where: { AND: [filter, pastRow(view.sort, direction, sortValue(user, view.sort), user.id)] },
    orderBy: orderBy(view.sort, direction),
    select: { id: true },
  });
  return row !== null;
}

/**
 * One page of a view: the rows after (or before) the cursor's row in the view's order, the
 * view's total, and cursors to the pages on either side. Every query is bounded by the page (an
 * index walk) or, for a search, by one scan of the search keys; none reads every row into memory.
 * The event cursor is read before the rows, so the page reflects at least every event up to it.
 */
export function listUsers(params: ViewParams): Promise<PageDTO> {
  return betweenWrites(() => readPage(params));
}

async function readPage(params: ViewParams): Promise<PageDTO> {
  const lastEventId = hub.lastEventId;
  const view: View = { q: params.q, sort: params.sort, order: params.order };
  const position: Position | null = params.cursor ? decodeCursor(params.cursor, view) : null;
  const term = searchTerm(view.q);
  const filter: Prisma.UserWhereInput = term ? { searchKey: { contains: term } } : {};
  const forward = position?.direction !== 'before';
  const walk = forward ? view.order : flip(view.order);

  return query(async () => {
    const [rows, total] = await Promise.all([
      db.user.findMany({
        where: position ? { AND: [filter, pastRow(view.sort, walk, position.key, position.id)] } : filter,
        orderBy: orderBy(view.sort, walk),
        take: params.limit + 1,
      }),
      db.user.count({ where: filter }),
    ]);
    const more = rows.length > params.limit;
    const users = rows.slice(0, params.limit).map(toDTO);
    if (!forward) users.reverse();
    const first = users[0];
    const last = users.at(-1);
    if (!first || !last) return { users, total, nextCursor: null, prevCursor: null, lastEventId };
    const hasNext = forward ? more : await anyPast(filter, view, view.order, last);
    const hasPrev = forward ? position !== null && (await anyPast(filter, view, flip(view.order), first)) : more;
    return {
      users,
      total,
      nextCursor: hasNext ? encodeCursor(view, 'after', last) : null,
      prevCursor: hasPrev ? encodeCursor(view, 'before', first) : null,
      lastEventId,
    };
  });
}

/** One user; NotFoundError when there is none. */
export async function getUser(id: number): Promise<UserDTO> {
  const row = await query(() => db.user.findUnique({ where: { id } }));
  if (!row) throw new NotFoundError(`No user with id ${id}`);
  return toDTO(row);
}

const derivedKeys = (name: string, email: string) => ({ nameKey: nameKey(name), searchKey: searchKey(name, email) });
const duplicateEmail = { P2002: () => new ConflictError({ email: [DUPLICATE_EMAIL_MESSAGE] }) };

/** Every write is logged with who made it. */
const logWrite = ({ requestId, principal }: Actor, userId: number, change: string) => log.info({ requestId, principal, userId }, change);

async function insertUser(input: UserInput, actor: Actor): Promise<UserDTO> {
  const row = await query(
    () => db.user.create({ data: { name: input.name, email: input.email, ...derivedKeys(input.name, input.email) } }),
    duplicateEmail,
  );
  const user = toDTO(row);
  logWrite(actor, user.id, 'user created');
  await hub.publish({ type: 'user_created', user });
  return user;
}

async function updateUser(id: number, changes: UserChanges, expectedVersion: number, actor: Actor): Promise<UserDTO> {
  const current = await getUser(id);
  if (current.version !== expectedVersion) throw new PreconditionFailedError(current);
  const name = changes.name ?? current.name;
  const email = changes.email ?? current.email;
  const row = await query(
    // The version in the condition makes it compare-and-set: a concurrent edit that got in first
    // leaves no row to update (P2025).
    () => db.user.update({ where: { id, version: expectedVersion }, data: { name, email, ...derivedKeys(name, email), version: { increment: 1 } } }),
    { ...duplicateEmail, P2025: () => new NotFoundError(`No user with id ${id}`) },
  ).catch(async (error: unknown) => {
    if (error instanceof NotFoundError) throw new PreconditionFailedError(await getUser(id));
    throw error;
  });
  const user = toDTO(row);
  logWrite(actor, id, 'user edited');
  await hub.publish({ type: 'user_updated', user, previous: current });
  return user;
}

async function deleteUser(id: number, actor: Actor): Promise<void> {
  const row = await query(() => db.user.delete({ where: { id } }), { P2025: () => new NotFoundError(`No user with id ${id}`) });
  logWrite(actor, id, 'user deleted');
  await hub.publish({ type: 'user_deleted', id, user: toDTO(row) });
}

/** Inserts a validated user (email already normalised by the schema) and announces it. */
export const addUser = (input: UserInput, actor: Actor): Promise<UserDTO> => write(() => insertUser(input, actor));

/**
 * Changes a user's name and/or email if it is still at `expectedVersion`, raising the version,
 * and announces it with what it was before. NotFoundError when the user is gone;
 * PreconditionFailedError (with the user as it is now) when someone else changed it first.
 */
export const editUser = (id: number, changes: UserChanges, expectedVersion: number, actor: Actor): Promise<UserDTO> =>
  write(() => updateUser(id, changes, expectedVersion, actor));

/** Deletes a user and announces it; NotFoundError (and no event) when there is no such user. */
export const removeUser = (id: number, actor: Actor): Promise<void> => write(() => deleteUser(id, actor));
