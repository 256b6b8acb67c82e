import 'server-only';
import { db } from './db';
import type { UserDTO } from './dto';
import { ConflictError, NotFoundError } from './errors';
import { hub } from './events';
import { Prisma } from './generated/prisma/client';
import { DUPLICATE_EMAIL_MESSAGE, type UserInput } from './validation';

// The data layer: the only code that reads or writes users, and the one place that publishes
// their changes, after the write committed, whether the change came from an action or the API.

type UserRow = { id: number; name: string; email: string; createdAt: Date };

function toDTO(row: UserRow): UserDTO {
  return { id: row.id, name: row.name, email: row.email, createdAt: row.createdAt.toISOString() };
}

function isPrismaError(error: unknown, code: string): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === code;
}

/** Every user, newest first. */
export async function listUsers(): Promise<UserDTO[]> {
  const rows = await db.user.findMany({ orderBy: { id: 'desc' } });
  return rows.map(toDTO);
}

/** Inserts a validated user (email already normalised by the schema) and announces it. */
export async function addUser(input: UserInput): Promise<UserDTO> {
  let user: UserDTO;
  try {
    user = toDTO(await db.user.create({ data: { name: input.name, email: input.email } }));
  } catch (error) {
    if (isPrismaError(error, 'P2002')) throw new ConflictError({ email: [DUPLICATE_EMAIL_MESSAGE] });
    throw error;
  }
  await hub.publish({ type: 'user_created', user });
  return user;
}

/** Deletes a user and announces it; NotFoundError (and no event) when there is no such user. */
export async function removeUser(id: number): Promise<void> {
  try {
    await db.user.delete({ where: { id } });
  } catch (error) {
    if (isPrismaError(error, 'P2025')) throw new NotFoundError(`No user with id ${id}`);
    throw error;
  }
  await hub.publish({ type: 'user_deleted', id });
}
