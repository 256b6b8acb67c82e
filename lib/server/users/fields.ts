import 'server-only';
import { nameKey, searchKey, wordsKey } from '@/lib/shared/directory/keys';
import type { UserDTO } from '@/lib/shared/dto';
import type { Prisma } from '@/lib/server/generated/prisma/client';
import { asRole } from '@/lib/shared/roles';
import { USER_FIELDS, type UserField, type UserInput, userFieldsOf } from '@/lib/shared/validation';

// A user's columns as the data layer reads them: the schema's fields (USER_FIELDS) and the ones it
// keeps itself. The keys it derives (nameKey, searchKey, wordsKey) are written, never read back; a role is
// stored as text (both databases share one schema) and read back as a Role.

const fieldColumns = Object.fromEntries(USER_FIELDS.map((field) => [field, true])) as Record<UserField, true>;

export const userSelect = { id: true, createdAt: true, updatedAt: true, version: true, ...fieldColumns } satisfies Prisma.UserSelect;

type UserRow = Prisma.UserGetPayload<{ select: typeof userSelect }>;

export function toDTO(row: UserRow): UserDTO {
  return {
    ...userFieldsOf({ ...row, role: asRole(row.role) }),
    id: row.id,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version,
  };
}

/** The columns the sort and the search read, derived from the fields whenever they are written. */
export function derivedKeys(user: UserInput): { nameKey: string; searchKey: string; wordsKey: string } {
  return { nameKey: nameKey(user.name), searchKey: searchKey(user.name, user.email), wordsKey: wordsKey(user.name, user.email) };
}

/** The fields a change names: one sent as undefined (an edit that leaves it out, an empty CSV cell) keeps its value. */
export function definedOnly(changes: Partial<UserInput>): Partial<UserInput> {
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}
