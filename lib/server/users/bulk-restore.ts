import 'server-only';
import { db } from '@/lib/server/db';
import { type Actor, lockEventOrder } from '@/lib/server/events/event-log';
import type { UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { ADMINS_ONLY_MESSAGE, canManageAccess } from '@/lib/shared/roles';
import { userFieldsOf } from '@/lib/shared/validation';
import { insertRestored } from './bulk-sql';
import { derivedKeys } from './fields';
import type { RowFailure } from './import';
import { afterBatch, type Change, recordBatch } from './job-batch';
import { ALREADY_HERE_MESSAGE, emailTakenMessage } from './write';

// A restore job's batch (lib/server/jobs/restore-job.ts): users as their deletes recorded them, back
// in one transaction — same id, fields and created time, the version past the one deleted — each
// with a `user_restored` event of its own (their history goes on), none on the stream: the job's
// progress event is the dashboards' one frame, as for a delete job.

/**
 * Restores `users` (each as a delete recorded them) under the one-at-a-time rules: one who is back
 * already, whose email someone else has now, or who has a role (for anyone but an admin) is a
 * failure line naming their id, and the others come back. With `progress`, ends with the job's
 * progress event counting those restored since the last (`sinceLast` + these).
 */
export async function restoreBatch(jobId: string, users: UserDTO[], actor: Actor, options: { progress: boolean; sinceLast: number }): Promise<{ restored: number; job: JobDTO }> {
  const done = await db.$transaction(
    async (tx) => {
      await lockEventOrder(tx);
      const here = new Set((await tx.user.findMany({ where: { id: { in: users.map((user) => user.id) } }, select: { id: true }, take: users.length })).map((row) => row.id));
      const taken = new Set(
        (await tx.user.findMany({ where: { email: { in: users.map((user) => user.email) } }, select: { email: true }, take: users.length })).map((row) => row.email),
      );
      const failures: RowFailure[] = [];
      const back: UserDTO[] = [];
      for (const user of users) {
        if (here.has(user.id)) failures.push({ line: user.id, field: 'id', message: ALREADY_HERE_MESSAGE });
        else if (taken.has(user.email)) failures.push({ line: user.id, field: 'email', message: emailTakenMessage(user) });
        else if (user.role !== 'none' && !canManageAccess(actor.role)) failures.push({ line: user.id, field: 'role', message: ADMINS_ONLY_MESSAGE });
        else {
          here.add(user.id);
          taken.add(user.email);
          back.push({ ...user, version: user.version + 1 });
        }
      }
      const at = new Date();
      // One statement (bulk-sql.ts), as an import inserts: Prisma's createMany spends most of a batch building its rows.
      // In id order: SQLite's search index (FTS5) writes out what it holds whenever a rowid comes
      // lower than the one before, so the read’s newest-first order made a segment per user (twice the time in all).
      back.sort((a, b) => a.id - b.id);
      await insertRestored(
        tx,
        back.map((user) => {
          const fields = { ...userFieldsOf(user), role: user.role };
          return { id: user.id, ...fields, ...derivedKeys(fields), createdAt: new Date(user.createdAt), version: user.version };
        }),
        at,
      );
      const changes = back.map((user): Change => ({ type: 'user_restored', user: { ...user, updatedAt: at.toISOString() } }));
      const job = await recordBatch(tx, jobId, actor, { changes, failures, read: users.length, counted: 'restored' }, options);
      return { restored: back.length, job };
    },
    { timeout: 60_000 },
  );
  await afterBatch(actor, options.progress);
  return done;
}
