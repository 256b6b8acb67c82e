import 'server-only';
import { db } from '@/lib/server/db';
import type { Actor } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { takeWrite } from '@/lib/server/rate-limit';
import { finishImport } from '@/lib/server/users/import';
import type { JobDTO, JobState } from '@/lib/shared/jobs';
import { giveWay, PROGRESS_MS, whetherToGoOn } from './runner';
import { toJobDTO } from './store';

// The loop a job over many users runs (a delete, a restore, a role change): a batch at a time, each one transaction
// that ends with the job's progress event at most once a second; between batches it gives way to
// requests, heeds Cancel, and takes its cost from the starter's allowance; at the end, one last
// progress event, which the activity lists.

/** Users per write of the allowance: a bulk action is counted by its size, a write per this many. */
export const USERS_PER_WRITE = 1_000;

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

/** One batch's work: how many users it changed, with the job's progress event when `progress`. */
export type Batch<T> = (items: T[], options: { progress: boolean; sinceLast: number }) => Promise<number>;

/**
 * Runs the queued job `jobId` over `batches`, each handled by `handle`; `count` names what the final
 * progress event counts ('deleted', 'restored' or 'updated'); `cancelled` is what a Cancel leaves behind.
 */
export async function runUserJob<T>(
  jobId: string,
  batches: AsyncIterable<T[]>,
  handle: Batch<T>,
  { actor, rateKey, count, cancelled }: { actor: Actor; rateKey: string; count: 'deleted' | 'restored' | 'updated'; cancelled: string },
): Promise<JobDTO> {
  const { count: starting } = await db.job.updateMany({ where: { id: jobId, state: 'queued' }, data: { state: 'running', startedAt: new Date(), heartbeatAt: new Date() } });
  const current = async () => toJobDTO(await db.job.findUniqueOrThrow({ where: { id: jobId } }));
  if (starting === 0) return current();
  let sinceLast = 0;
  let lastProgress = 0;
  let looked = 0;
  let stop: { state: JobState; error: string } | null = null;
  try {
    for await (const items of batches) {
      // The request counted the first write (users 1 to USERS_PER_WRITE); a batch that begins another thousand takes one more.
      const begins = looked > 0 && Math.floor((looked + items.length - 1) / USERS_PER_WRITE) > Math.floor((looked - 1) / USERS_PER_WRITE);
      const allowed = begins ? await allowance(rateKey, jobId) : 'go';
      if (allowed === 'ended') return current();
      if (allowed === 'cancel') {
        stop = { state: 'cancelled', error: cancelled };
        break;
      }
      const progress = Date.now() - lastProgress >= PROGRESS_MS;
      const changed = await handle(items, { progress, sinceLast });
      looked += items.length;
      sinceLast = progress ? 0 : sinceLast + changed;
      if (progress) lastProgress = Date.now();
      await giveWay();
      const next = await whetherToGoOn(jobId);
      if (next === 'ended') return current();
      if (next === 'cancel') {
        stop = { state: 'cancelled', error: cancelled };
        break;
      }
    }
  } catch (error) {
    stop = { state: 'failed', error: `The database failed: what the batches before it did stays, the rest was not done` };
    logger.warn({ err: error, jobId }, 'job stopped');
  }
  const job = await finishImport(
    jobId,
    actor,
    async (tx) => toJobDTO(await tx.job.update({ where: { id: jobId }, data: { state: stop?.state ?? 'done', error: stop?.error ?? null, finishedAt: new Date() } })),
    { created: 0, updated: 0, [count]: sinceLast },
  );
  logger.info({ jobId, kind: job.kind, principal: actor.principal, state: job.state, read: job.read, deleted: job.deleted, restored: job.restored, failed: job.failed }, 'job ended');
  return job;
}
