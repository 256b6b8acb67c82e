import 'server-only';
import { provider, type Tx } from '@/lib/server/db';

// An import's inserts, as one statement per batch: Prisma's createMany builds and checks each row
// in its query compiler (160 ms per 1,000 users on SQLite here, most of an import's time); one
// multi-row INSERT (SQLite) or an INSERT from unnest()ed arrays (PostgreSQL) takes a few.
// Raw SQL, so the columns are spelled out here: keep them in step with prisma/schema.prisma.

/** Prisma's SQLite adapter stores times as ISO 8601 text with an explicit offset (prisma/tooling/bulk-users.ts). */
const sqliteTime = (date: Date) => date.toISOString().replace('Z', '+00:00');

export type NewUser = { name: string; email: string; role: string; nameKey: string; searchKey: string };
export type NewEvent = { type: string; userId: number; data: string; previous: string | null; principal: string; requestId: string; jobId: string; listed: boolean };

/** SQLite takes at most 32,766 parameters a statement; a batch stays well under. */
const placeholders = (rows: number, columns: number) => Array.from({ length: rows }, () => `(${Array.from({ length: columns }, () => '?').join(', ')})`).join(', ');

/** Inserts `users` created at `at`; returns each one's id by email. */
export async function insertUsers(tx: Tx, users: NewUser[], at: Date): Promise<Map<string, number>> {
  if (users.length === 0) return new Map();
  const columns = '"name", "email", "role", "nameKey", "searchKey", "createdAt", "updatedAt", "version"';
  const rows: { id: number; email: string }[] =
    provider === 'sqlite'
      ? await tx.$queryRawUnsafe(
          `INSERT INTO "User" (${columns}) VALUES ${placeholders(users.length, 8)} RETURNING "id", "email"`,
          ...users.flatMap((user) => [user.name, user.email, user.role, user.nameKey, user.searchKey, sqliteTime(at), sqliteTime(at), 1]),
        )
      : await tx.$queryRawUnsafe(
          `INSERT INTO "User" (${columns})
           SELECT u.name, u.email, u.role, u."nameKey", u."searchKey", $6, $6, 1
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(name, email, role, "nameKey", "searchKey")
           RETURNING "id", "email"`,
          users.map((user) => user.name),
          users.map((user) => user.email),
          users.map((user) => user.role),
          users.map((user) => user.nameKey),
          users.map((user) => user.searchKey),
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
