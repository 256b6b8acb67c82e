import 'server-only';
import { db } from '@/lib/server/db';
import { sessionRelay, takeSessions } from '@/lib/server/auth/sessions';
import { hub } from '@/lib/server/events';
import { type Actor, appendImportProgress, lockEventOrder } from '@/lib/server/events/event-log';
import { toJobDTO } from '@/lib/server/jobs/store';
import type { JobDTO } from '@/lib/shared/jobs';
import { ADMINS_ONLY_MESSAGE, asRole, canManageAccess, LAST_ADMIN_MESSAGE } from '@/lib/shared/roles';
import { insertEvents, type NewEvent } from './bulk-sql';
import { toDTO, userSelect } from './fields';
import type { RowFailure } from './import';

// A delete job's batch (lib/server/jobs/delete-job.ts): its users go in one transaction, each with
// an event of its own that keeps them as they were (their history, and what a restore brings
// back), none of them on the stream: the job's progress event is the dashboards' one frame.

/**
 * Deletes the users of `ids` that are still there and were added no later than `cutoff` (when the
 * view was seen; null: a list of ids), under the one-at-a-time rules: someone with a role only by
 * an admin, and never the last admin (a failure line each, naming the user's id). With `progress`,
 * ends with the job's progress event counting the users deleted since the last (`sinceLast` + these).
 */
export async function deleteBatch(
  jobId: string,
  ids: number[],
  cutoff: Date | null,
  actor: Actor,
  { progress, sinceLast }: { progress: boolean; sinceLast: number },
): Promise<{ deleted: number; job: JobDTO }> {
  const done = await db.$transaction(
    async (tx) => {
      await lockEventOrder(tx);
      const rows = await tx.user.findMany({ where: { id: { in: ids }, ...(cutoff ? { createdAt: { lte: cutoff } } : {}) }, select: userSelect, take: ids.length });
      const failures: RowFailure[] = [];
      const going = [];
      let admins = rows.some((row) => row.role === 'admin') ? await tx.user.count({ where: { role: 'admin' } }) : 0;
      for (const row of rows) {
        const role = asRole(row.role);
        if (role !== 'none' && !canManageAccess(actor.role)) failures.push({ line: row.id, field: 'role', message: ADMINS_ONLY_MESSAGE });
        else if (role === 'admin' && admins <= 1) failures.push({ line: row.id, field: 'role', message: LAST_ADMIN_MESSAGE });
        else {
          if (role === 'admin') admins--;
          going.push(toDTO(row));
        }
      }
      const endedSessions: string[] = [];
      for (const user of going) if (user.role !== 'none') endedSessions.push(...(await takeSessions(tx, user.id)));
      await tx.user.deleteMany({ where: { id: { in: going.map((user) => user.id) } } });
      const events: NewEvent[] = going.map((user) => ({
        type: 'user_deleted',
        userId: user.id,
        data: JSON.stringify(user),
        previous: null,
        principal: actor.principal,
        requestId: actor.requestId,
        jobId,
        listed: false,
      }));
      await insertEvents(tx, events, new Date());
      if (failures.length > 0) await tx.jobFailure.createMany({ data: failures.map((failure) => ({ jobId, ...failure })) });
      const job = toJobDTO(
        await tx.job.update({
          where: { id: jobId },
          data: { read: { increment: rows.length }, bytesRead: { increment: rows.length }, updated: { increment: going.length }, failed: { increment: failures.length } },
        }),
      );
      if (progress) await appendImportProgress(tx, { importId: jobId, created: 0, updated: 0, deleted: sinceLast + going.length, job }, actor, false);
      return { deleted: going.length, job, endedSessions };
    },
    { timeout: 60_000 },
  );
  if (done.endedSessions.length > 0) await sessionRelay.endSessions(done.endedSessions);
  if (progress) await hub.ring(actor.sessionId ?? undefined);
  return { deleted: done.deleted, job: done.job };
}
