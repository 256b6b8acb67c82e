import 'server-only';
import { db } from '@/lib/server/db';
import { sessionIdsOf, takeSessions } from '@/lib/server/auth/sessions';
import { type Actor, lockEventOrder } from '@/lib/server/events/event-log';
import type { JobDTO } from '@/lib/shared/jobs';
import { LAST_ADMIN_MESSAGE, type Role } from '@/lib/shared/roles';
import { toDTO, userSelect } from './fields';
import type { RowFailure } from './import';
import { afterBatch, type Change, recordBatch } from './job-batch';

// A role-change job's batch (lib/server/jobs/role-job.ts): its users get the role `to` in one
// transaction, each with an edit event of its own (their history says who changed it, and in which
// bulk change), none on the stream: the job's progress event is the dashboards' one frame.

/**
 * Gives the users of `ids` still there and added no later than `cutoff` (null: a list of ids) the
 * role `to`, as an admin (the route lets no one else start it): users who have it already are left
 * alone (counted unchanged), the last admin keeps theirs (a failure line naming the id). Taking
 * access ends the person's sessions; changing it has their sessions read afresh everywhere.
 */
export async function roleBatch(
  jobId: string,
  ids: number[],
  cutoff: Date | null,
  to: Role,
  actor: Actor,
  options: { progress: boolean; sinceLast: number },
): Promise<{ changed: number; job: JobDTO }> {
  const done = await db.$transaction(
    async (tx) => {
      await lockEventOrder(tx);
      const rows = (await tx.user.findMany({ where: { id: { in: ids }, ...(cutoff ? { createdAt: { lte: cutoff } } : {}) }, select: userSelect, take: ids.length })).map(toDTO);
      const failures: RowFailure[] = [];
      const changing = rows.filter((user) => user.role !== to);
      let admins = to !== 'admin' && changing.some((user) => user.role === 'admin') ? await tx.user.count({ where: { role: 'admin' } }) : 0;
      const going = changing.filter((user) => {
        if (user.role !== 'admin') return true;
        if (admins <= 1) {
          failures.push({ line: user.id, field: 'role', message: LAST_ADMIN_MESSAGE });
          return false;
        }
        admins--;
        return true;
      });
      const endedSessions: string[] = [];
      const changedSessions: string[] = [];
      for (const user of going) {
        if (to === 'none') endedSessions.push(...(await takeSessions(tx, user.id)));
        else if (user.role !== 'none') changedSessions.push(...(await sessionIdsOf(tx, user.id)));
      }
      const at = new Date();
      // Only the role changes: the keys derived from the name and email (fields.ts) stay as they are.
      await tx.user.updateMany({ where: { id: { in: going.map((user) => user.id) } }, data: { role: to, updatedAt: at, version: { increment: 1 } } });
      const changes = going.map((previous): Change => ({ type: 'user_updated', user: { ...previous, role: to, updatedAt: at.toISOString(), version: previous.version + 1 }, previous }));
      const job = await recordBatch(tx, jobId, actor, { changes, failures, read: rows.length, unchanged: rows.length - changing.length, counted: 'updated' }, options);
      return { changed: going.length, job, endedSessions, changedSessions };
    },
    { timeout: 60_000 },
  );
  await afterBatch(actor, options.progress, { ended: done.endedSessions, changed: done.changedSessions });
  return { changed: done.changed, job: done.job };
}
