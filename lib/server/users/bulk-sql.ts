import 'server-only';
import { provider, type Tx } from '@/lib/server/db';
import type { UserInput } from '@/lib/shared/validation';
import type { derivedKeys } from './fields';

// An import's inserts, as one statement per batch: Prisma's createMany builds and checks each row
// in its query compiler (160 ms per 1,000 users on SQLite here, most of an import's time); one
// multi-row INSERT (SQLite) or an INSERT from unnest()ed arrays (PostgreSQL) takes a few.
// Raw SQL, so the columns are spelled out here: keep them in step with prisma/schema.prisma.

/** Prisma's SQLite adapter stores times as ISO 8601 text with an explicit offset (prisma/tooling/bulk-users.ts). */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

/** A user as inserted: its fields (the one schema's) and the keys derived from them (fields.ts), every one text. */
export type NewUser = Required<UserInput> & ReturnType<typeof derivedKeys>;
export type NewEvent = { type: string; userId: number; data: string; previous: string | null; principal: string; requestId: string; jobId: string; listed: boolean };

/** SQLite takes at most 32,766 parameters a statement; a batch stays well under. */
const placeholders = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(', ');

/** Inserts `users` created at `at`; returns each one's id by email. */
export async function insertUsers(tx: Tx, users: NewUser[], at: Date): Promise<Map<string, number>> {
  const first = users[0];
  if (!first) return new Map();
  // The text columns, named as the rows name them: a key derived in fields.ts is inserted without an edit here.
  const names = Object.keys(first) as (keyof NewUser)[];
  const columns = [...names.map((name) => `"${name}"`), '"createdAt"', '"updatedAt"', '"version"'].join(', ');
  const rows: { id: number; email: string }[] =
    provider === 'sqlite'
      ? await tx.$queryRawUnsafe(
          `INSERT INTO "User" (${columns}) VALUES ${placeholders(users.length, names.length + 3)} RETURNING "id", "email"`,
          ...users.flatMap((user) => [...names.map((name) => user[name]), sqliteTime(at), sqliteTime(at), 1]),
        )
      : await tx.$queryRawUnsafe(
          `INSERT INTO "User" (${columns})
           SELECT ${names.map((name) => `u."${name}"`).join(', ')}, $${names.length + 1}, $${names.length + 1}, 1
           FROM unnest(${names.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${names.map((name) => `"${name}"`).join(', ')})
           RETURNING "id", "email"`,
          ...names.map((name) => users.map((user) => user[name])),
          at,
        );
  return new Map(rows.map((row) => [row.email, Number(row.id)]));
}

/** Inserts `events`, in order (their ids follow it), recorded at `at`. */
export async function insertEvents(tx: Tx, events: NewEvent[], at: Date): Promise<void> {
  if (events.length === 0) return;
  const columns = '"type", "userId", "data", "previous", "principal", "requestId", "jobId", "listed", "createdAt"';
  if (provider === 'sqlite') {
    await tx.$executeRawUnsafe(
      `INSERT INTO "Event" (${columns}) VALUES ${placeholders(events.length, 9)}`,
      ...events.flatMap((event) => [event.type, event.userId, event.data, event.previous, event.principal, event.requestId, event.jobId, event.listed ? 1 : 0, sqliteTime(at)]),
    );
    return;
  }
  await tx.$executeRawUnsafe(
    `INSERT INTO "Event" (${columns})
     SELECT e.type, e."userId", e.data, e.previous, e.principal, e."requestId", e."jobId", e.listed, $9
     FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[]) WITH ORDINALITY AS e(type, "userId", data, previous, principal, "requestId", "jobId", listed, n)
     ORDER BY e.n`,
    events.map((event) => event.type),
    events.map((event) => event.userId),
    events.map((event) => event.data),
    events.map((event) => event.previous),
    events.map((event) => event.principal),
    events.map((event) => event.requestId),
    events.map((event) => event.jobId),
    events.map((event) => event.listed),
    at,
  );
}

/** A user as restored: the inserted fields and keys, and the id, created time and version they had. */
export type RestoredUser = NewUser & { id: number; createdAt: Date; version: number };

/** Inserts users with the ids, created times and versions they had (a restore), updated at `at`. */
export async function insertRestored(tx: Tx, users: RestoredUser[], at: Date): Promise<void> {
  const first = users[0];
  if (!first) return;
  const names = (Object.keys(first) as (keyof RestoredUser)[]).filter((name): name is keyof NewUser => !['id', 'createdAt', 'version'].includes(name));
  const columns = ['"id"', ...names.map((name) => `"${name}"`), '"createdAt"', '"updatedAt"', '"version"'].join(', ');
  if (provider === 'sqlite') {
    await tx.$executeRawUnsafe(
      `INSERT INTO "User" (${columns}) VALUES ${placeholders(users.length, names.length + 4)}`,
      ...users.flatMap((user) => [user.id, ...names.map((name) => user[name]), sqliteTime(user.createdAt), sqliteTime(at), user.version]),
    );
    return;
  }
  const n = names.length;
  await tx.$executeRawUnsafe(
    `INSERT INTO "User" (${columns})
     SELECT u.id, ${names.map((name) => `u."${name}"`).join(', ')}, u."createdAt" AT TIME ZONE 'UTC', $${n + 4}, u.version
     FROM unnest($1::int[], ${names.map((_, i) => `$${i + 2}::text[]`).join(', ')}, $${n + 2}::timestamptz[], $${n + 3}::int[])
       AS u(id, ${names.map((name) => `"${name}"`).join(', ')}, "createdAt", version)`,
    users.map((user) => user.id),
    ...names.map((name) => users.map((user) => user[name])),
    // As ISO text with its Z, read as UTC whatever the session's time zone (the columns hold UTC).
    users.map((user) => user.createdAt.toISOString()),
    users.map((user) => user.version),
    at,
  );
}
