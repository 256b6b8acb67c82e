import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Actor } from '@/lib/server/events/event-log';
import { deleteBatch } from '@/lib/server/users/bulk-delete';
import type { BulkSelection } from '@/lib/shared/bulk';
import type { JobDTO } from '@/lib/shared/jobs';
import { enqueue } from './runner';
import { describe, idBatches, seenAt, sizeOf } from './selection';
import { createJob } from './store';
import { type Batch, runUserJob } from './user-batches';

// "Delete" on a whole view (or on a list of ids) as a job (POST /api/jobs/delete): the view is walked
// in its sort's index a batch at a time, each batch deleted in one transaction (users/bulk-delete.ts),
// so memory holds a batch and dashboards get one progress frame a second, not one per user. Users
// added after the view was seen (`atEventId`) are left alone: the person deletes what they saw.

const CANCELLED = 'Cancelled: the users deleted until then stay deleted (Restore brings them back)';

/** Queues the delete of `selection` for `actor` (counted under `rateKey`) and returns the job. */
export async function startDelete(selection: BulkSelection, actor: Actor, rateKey: string): Promise<JobDTO> {
  const cutoff = await seenAt(selection);
  const job = await createJob(randomUUID(), 'delete', actor.principal, describe(selection), sizeOf(selection));
  const handle: Batch<number> = async (ids, options) => (await deleteBatch(job.id, ids, cutoff, actor, options)).deleted;
  enqueue(job.id, () => runUserJob(job.id, idBatches(selection), handle, { actor, rateKey, count: 'deleted', cancelled: CANCELLED }));
  return job;
}
