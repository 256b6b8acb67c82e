import 'server-only';
import { randomUUID } from 'node:crypto';
import { db, query } from '@/lib/server/db';
import { ValidationError } from '@/lib/server/errors';
import type { Actor } from '@/lib/server/events/event-log';
import { deleteBatch } from '@/lib/server/users/bulk-delete';
import { walkView } from '@/lib/server/users/read';
import { searchText } from '@/lib/shared/directory/keys';
import type { JobDTO } from '@/lib/shared/jobs';
import type { BulkSelection } from '@/lib/shared/bulk';
import { ROLE_LABEL } from '@/lib/shared/roles';
import { BATCH_ROWS, enqueue } from './runner';
import { createJob } from './store';
import { type Batch, runUserJob } from './user-batches';

// "Delete" on a whole view (or on a list of ids) as a job (POST /api/jobs/delete): the view is walked
// in its sort's index a batch at a time, each batch deleted in one transaction (users/bulk-delete.ts),
// so memory holds a batch and dashboards get one progress frame a second, not one per user. Users
// added after the view was seen (`atEventId`) are left alone: the person deletes what they saw.

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

function runDelete(jobId: string, selection: BulkSelection, cutoff: Date | null, actor: Actor, rateKey: string): Promise<JobDTO> {
  const handle: Batch<number> = async (ids, options) => (await deleteBatch(jobId, ids, cutoff, actor, options)).deleted;
  return runUserJob(jobId, idBatches(selection), handle, { actor, rateKey, count: 'deleted', cancelled: CANCELLED });
}
