import 'server-only';
import { db, query } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import type { Job } from '@/lib/server/generated/prisma/client';
import { finishImport } from '@/lib/server/users/import';
import { toJobDTO } from './store';

// An import runs on the instance that took its upload, from a file on that instance's disk. When
// that instance stops without finishing it (a crash, a deploy, a restart), nothing else can carry
// on: the job would say "running" for ever, and its importer would watch a bar that never moves.
// So the instance says every so often that its jobs still run (the heartbeat, lib/server/jobs/runner.ts),
// and every instance looks for queued or running jobs not heard of for JOB_TIMEOUT_SECONDS and
// ends them as failed, with the activity's entry and the stream's last progress frame, as any end.

const ACTIVE = ['queued', 'running'];

/** How often an instance says its jobs still run: four times per timeout, so one late beat is no alarm. */
export const heartbeatMs = () => (env.JOB_TIMEOUT_SECONDS * 1000) / 4;
/** How often every instance looks for interrupted jobs. */
export const sweepMs = () => (env.JOB_TIMEOUT_SECONDS * 1000) / 2;

/** Tells every instance that the jobs `ids` still run here. */
export async function beat(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await query('job heartbeat', () => db.job.updateMany({ where: { id: { in: ids }, state: { in: ACTIVE } }, data: { heartbeatAt: new Date() } }));
}

/** What the importer reads about an import that stopped with its instance. */
function interruptedMessage(job: Job): string {
  if (job.state === 'queued') return 'Interrupted before it started: the server holding it stopped (a restart or a crash). Nothing was imported: upload the file again';
  return `Interrupted: the server running it stopped (a restart or a crash) after ${job.read.toLocaleString('en-US')} rows, which were imported. Upload the file again for the rest: rows already in are left unchanged`;
}

/** Thrown inside the transaction when another instance ended the job first: nothing is written. */
class AlreadyEnded extends Error {}

/** Ends `job` as failed unless it was heard of or ended meanwhile; whether this call ended it. */
async function endInterrupted(job: Job, cutoff: Date): Promise<boolean> {
  try {
    // In the starter's name, as the import's own end would be: the activity says who imported.
    await finishImport(
      job.id,
      { principal: job.principal, requestId: `job:${job.id}` },
      async (tx) => {
        const { count } = await tx.job.updateMany({
          where: { id: job.id, state: { in: ACTIVE }, heartbeatAt: { lt: cutoff } },
          data: { state: 'failed', error: interruptedMessage(job), finishedAt: new Date() },
        });
        if (count === 0) throw new AlreadyEnded();
        return toJobDTO(await tx.job.findUniqueOrThrow({ where: { id: job.id } }));
      },
      // What the lost instance wrote since its last progress frame is not known: the job's totals are.
      { created: 0, updated: 0 },
    );
    return true;
  } catch (error) {
    if (error instanceof AlreadyEnded) return false;
    throw error;
  }
}

/** Ends as failed every queued or running job whose instance went quiet; how many it ended. */
export async function failInterruptedJobs(now = Date.now()): Promise<number> {
  const cutoff = new Date(now - env.JOB_TIMEOUT_SECONDS * 1000);
  const stale = await query('job sweep', () => db.job.findMany({ where: { state: { in: ACTIVE }, heartbeatAt: { lt: cutoff } }, orderBy: { heartbeatAt: 'asc' }, take: 100 }));
  let ended = 0;
  for (const job of stale) if (await endInterrupted(job, cutoff)) ended++;
  return ended;
}
