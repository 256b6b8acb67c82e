import 'server-only';
import { db } from '@/lib/server/db';
import { hub } from '@/lib/server/events';
import { type Actor, appendImportProgress, lockEventOrder } from '@/lib/server/events/event-log';
import { toJobDTO } from '@/lib/server/jobs/store';
import type { UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { ADMINS_ONLY_MESSAGE, canManageAccess } from '@/lib/shared/roles';
import { userFieldsOf } from '@/lib/shared/validation';
import { insertEvents, insertRestored, type NewEvent } from './bulk-sql';
import { derivedKeys } from './fields';
import type { RowFailure } from './import';
import { ALREADY_HERE_MESSAGE } from './write';

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
export async function restoreBatch(jobId: string, users: UserDTO[], actor: Actor, { progress, sinceLast }: { progress: boolean; sinceLast: number }): Promise<{ restored: number; job: JobDTO }> {
  return db.$transaction(
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
        else if (taken.has(user.email)) failures.push({ line: user.id, field: 'email', message: `${user.name} cannot come back: ${user.email} belongs to another user now.` });
        else if (user.role !== 'none' && !canManageAccess(actor.role)) failures.push({ line: user.id, field: 'role', message: ADMINS_ONLY_MESSAGE });
        else {
          here.add(user.id);
          taken.add(user.email);
          back.push({ ...user, version: user.version + 1 });
        }
      }
      const at = new Date();
      // One statement (bulk-sql.ts), as an import inserts: Prisma's createMany spends most of a batch building its rows.
      await insertRestored(
        tx,
        back.map((user) => {
          const fields = { ...userFieldsOf(user), role: user.role };
          return { id: user.id, ...fields, ...derivedKeys(fields), createdAt: new Date(user.createdAt), version: user.version };
        }),
        at,
      );
      const events: NewEvent[] = back.map((user) => ({
        type: 'user_restored',
        userId: user.id,
        data: JSON.stringify({ ...user, updatedAt: at.toISOString() }),
        previous: null,
        principal: actor.principal,
        requestId: actor.requestId,
        jobId,
        listed: false,
      }));
      await insertEvents(tx, events, at);
      if (failures.length > 0) await tx.jobFailure.createMany({ data: failures.map((failure) => ({ jobId, ...failure })) });
      const job = toJobDTO(
        await tx.job.update({
          where: { id: jobId },
          data: { read: { increment: users.length }, bytesRead: { increment: users.length }, updated: { increment: back.length }, failed: { increment: failures.length } },
        }),
      );
      if (progress) await appendImportProgress(tx, { importId: jobId, created: 0, updated: 0, restored: sinceLast + back.length, job }, actor, false);
      return { restored: back.length, job };
    },
    { timeout: 60_000 },
  ).then(async (done) => {
    if (progress) await hub.ring(actor.sessionId ?? undefined);
    return done;
  });
}
