import 'server-only';
import { randomUUID } from 'node:crypto';
import { db, query } from '@/lib/server/db';
import { ValidationError } from '@/lib/server/errors';
import type { Actor } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { takeWrite } from '@/lib/server/rate-limit';
import { deleteBatch } from '@/lib/server/users/bulk-delete';
import { finishImport } from '@/lib/server/users/import';
import { walkView } from '@/lib/server/users/read';
import { searchText } from '@/lib/shared/directory/keys';
import type { JobDTO, JobState } from '@/lib/shared/jobs';
import type { BulkSelection } from '@/lib/shared/bulk';
import { ROLE_LABEL } from '@/lib/shared/roles';
import { BATCH_ROWS, enqueue, giveWay, PROGRESS_MS, whetherToGoOn } from './runner';
import { createJob, toJobDTO } from './store';

// "Delete" on a whole view (or on a list of ids) as a job (POST /api/jobs/delete): the view is walked
// in its sort's index a batch at a time, each batch deleted in one transaction (users/bulk-delete.ts),
// so memory holds a batch and dashboards get one progress frame a second, not one per user. Users
// added after the view was seen (`atEventId`) are left alone: the person deletes what they saw.

/** Users per write of the allowance: a bulk action is counted by its size, a write per this many. */
export const USERS_PER_WRITE = 1_000;

const CANCELLED = 'Cancelled: the users deleted until then stay deleted (Restore brings them back)';

/** "users matching “test” with the role No access", for the job and the activity. */
function describe(selection: BulkSelection): string {
  if ('ids' in selection) return `${selection.ids.length.toLocaleString('en-US')} selected ${selection.ids.length === 1 ? 'user' : 'users'}`;
  const q = searchText(selection.q);
  const parts = [q ? `matching “${q}”` : '', selection.role ? `with the role ${ROLE_LABEL[selection.role]}` : ''].filter(Boolean);
  return parts.length > 0 ? `users ${parts.join(' ')}` : 'every user';
}

/**
 * Queues the delete of `selection` for `actor` (counted under `rateKey`) and returns the job; 400
 * when the view's event is not on record (never was, or pruned): nothing to tell "added after" by.
 */
export async function startDelete(selection: BulkSelection, actor: Actor, rateKey: string): Promise<JobDTO> {
  let cutoff: Date | null = null;
  if ('atEventId' in selection) {
    const seen = await query('event read', () => db.event.findUnique({ where: { id: selection.atEventId }, select: { createdAt: true } }));
    if (!seen) throw new ValidationError({ atEventId: ['No event with this id is on record: list the users again and use its lastEventId'] });
    cutoff = seen.createdAt;
  }
  const size = 'ids' in selection ? selection.ids.length : (selection.total ?? 0);
  const job = await createJob(randomUUID(), 'delete', actor.principal, describe(selection), size);
  enqueue(job.id, () => runDelete(job.id, selection, cutoff, actor, rateKey));
  return job;
}

/** The selection's user ids, a batch at a time: the list as given, or the view walked in creation order. */
async function* idBatches(selection: BulkSelection): AsyncGenerator<number[]> {
  if ('ids' in selection) {
    for (let at = 0; at < selection.ids.length; at += BATCH_ROWS) yield selection.ids.slice(at, at + BATCH_ROWS);
    return;
  }
  for await (const users of walkView({ q: selection.q, role: selection.role, sort: 'createdAt', order: 'asc' }, BATCH_ROWS)) yield users.map((user) => user.id);
}

/**
 * Takes one write of the allowance, waiting while it is spent; 'cancel' or 'ended' when the job is
 * cancelled (or ended elsewhere as interrupted) meanwhile, which it notices within a second.
 */
async function allowance(rateKey: string, jobId: string): Promise<'go' | 'cancel' | 'ended'> {
  for (;;) {
    const verdict = await takeWrite(rateKey);
    if (verdict.ok) return 'go';
    await new Promise((resolve) => setTimeout(resolve, Math.min(verdict.retryAfterSeconds, 1) * 1000));
    const next = await whetherToGoOn(jobId);
    if (next !== 'go') return next;
  }
}

async function runDelete(jobId: string, selection: BulkSelection, cutoff: Date | null, actor: Actor, rateKey: string): Promise<JobDTO> {
  const { count } = await db.job.updateMany({ where: { id: jobId, state: 'queued' }, data: { state: 'running', startedAt: new Date(), heartbeatAt: new Date() } });
  if (count === 0) return toJobDTO(await db.job.findUniqueOrThrow({ where: { id: jobId } }));
  let sinceLast = 0;
  let lastProgress = 0;
  let looked = 0;
  let stop: { state: JobState; error: string } | null = null;
  try {
    for await (const ids of idBatches(selection)) {
      // The request counted the first write (users 1 to USERS_PER_WRITE); a batch that begins another thousand takes one more.
      const begins = looked > 0 && Math.floor((looked + ids.length - 1) / USERS_PER_WRITE) > Math.floor((looked - 1) / USERS_PER_WRITE);
      const allowed = begins ? await allowance(rateKey, jobId) : 'go';
      if (allowed === 'ended') return toJobDTO(await db.job.findUniqueOrThrow({ where: { id: jobId } }));
      if (allowed === 'cancel') {
        stop = { state: 'cancelled', error: CANCELLED };
        break;
      }
      const progress = Date.now() - lastProgress >= PROGRESS_MS;
      const { deleted } = await deleteBatch(jobId, ids, cutoff, actor, { progress, sinceLast });
      looked += ids.length;
      sinceLast = progress ? 0 : sinceLast + deleted;
      if (progress) lastProgress = Date.now();
      await giveWay();
      const next = await whetherToGoOn(jobId);
      if (next === 'ended') return toJobDTO(await db.job.findUniqueOrThrow({ where: { id: jobId } }));
      if (next === 'cancel') {
        stop = { state: 'cancelled', error: CANCELLED };
        break;
      }
    }
  } catch (error) {
    stop = { state: 'failed', error: 'The database failed: the users deleted before the last batch stay deleted, the rest were not' };
    logger.warn({ err: error, jobId }, 'delete job stopped');
  }
  const job = await finishImport(
    jobId,
    actor,
    async (tx) => toJobDTO(await tx.job.update({ where: { id: jobId }, data: { state: stop?.state ?? 'done', error: stop?.error ?? null, finishedAt: new Date() } })),
    { created: 0, updated: 0, deleted: sinceLast },
  );
  logger.info({ jobId, principal: actor.principal, state: job.state, read: job.read, deleted: job.deleted, failed: job.failed }, 'delete job ended');
  return job;
}
