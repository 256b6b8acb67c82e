import 'server-only';
import { db } from './db';
import type { UserDTO } from './dto';
import { ConflictError, NotFoundError, ServiceUnavailableError } from './errors';
import { hub } from './events';
import type { Snapshot } from './events/apply';
import { Prisma } from './generated/prisma/client';
import { log } from './log';
import { DUPLICATE_EMAIL_MESSAGE, type UserInput } from './validation';

// The data layer: the only code that reads or writes users, and the one place that publishes
// their changes, after the write committed, whether the change came from an action or the API.

type UserRow = { id: number; name: string; email: string; createdAt: Date };

function toDTO(row: UserRow): UserDTO {
  return { id: row.id, name: row.name, email: row.email, createdAt: row.createdAt.toISOString() };
}

/**
 * Runs a query, turning the errors a client can cause into domain errors and every other
 * database failure (unreachable, locked, timed out) into ServiceUnavailableError.
 */
async function query<T>(run: () => Promise<T>, known: Record<string, () => Error> = {}): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      const domain = known[error.code];
      if (domain) throw domain();
    }
    log.error({ err: error }, 'database query failed');
    throw new ServiceUnavailableError();
  }
}

/**
 * Every user, newest first, with the id of the newest event the list reflects. The cursor is
 * read before the rows, so the rows include at least every event up to it: a client that
 * streams from it misses nothing (and an event it sees twice changes nothing).
 */
export async function listUsers(): Promise<Snapshot> {
  const lastEventId = hub.lastEventId;
  const users = await query(async () => (await db.user.findMany({ orderBy: { id: 'desc' } })).map(toDTO));
  return { users, lastEventId };
}

/** Inserts a validated user (email already normalised by the schema) and announces it. */
export async function addUser(input: UserInput): Promise<UserDTO> {
  const row = await query(() => db.user.create({ data: { name: input.name, email: input.email } }), {
    P2002: () => new ConflictError({ email: [DUPLICATE_EMAIL_MESSAGE] }),
  });
  const user = toDTO(row);
  await hub.publish({ type: 'user_created', user });
  return user;
}

/** Deletes a user and announces it; NotFoundError (and no event) when there is no such user. */
export async function removeUser(id: number): Promise<void> {
  await query(() => db.user.delete({ where: { id } }), { P2025: () => new NotFoundError(`No user with id ${id}`) });
  await hub.publish({ type: 'user_deleted', id });
}
