import 'server-only';
import { db } from '@/lib/server/db';
import { takeSessions } from '@/lib/server/auth/sessions';
import { type Actor, lockEventOrder } from '@/lib/server/events/event-log';
import type { JobDTO } from '@/lib/shared/jobs';
import { ADMINS_ONLY_MESSAGE, asRole, canManageAccess, LAST_ADMIN_MESSAGE } from '@/lib/shared/roles';
import { toDTO, userSelect } from './fields';
import type { RowFailure } from './import';
import { afterBatch, type Change, recordBatch } from './job-batch';

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
  options: { progress: boolean; sinceLast: number },
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
      const changes = going.map((user): Change => ({ type: 'user_deleted', user }));
      const job = await recordBatch(tx, jobId, actor, { changes, failures, read: rows.length, counted: 'deleted' }, options);
      return { deleted: going.length, job, endedSessions };
    },
    { timeout: 60_000 },
  );
  await afterBatch(actor, options.progress, { ended: done.endedSessions });
  return { deleted: done.deleted, job: done.job };
}
