import 'server-only';
import { randomUUID } from 'node:crypto';
import type { Actor } from '@/lib/server/events/event-log';
import { roleBatch } from '@/lib/server/users/bulk-role';
import type { BulkSelection } from '@/lib/shared/bulk';
import type { JobDTO } from '@/lib/shared/jobs';
import { ROLE_LABEL, type Role } from '@/lib/shared/roles';
import { enqueue } from './runner';
import { describe, idBatches, seenAt, sizeOf } from './selection';
import { createJob } from './store';
import { type Batch, runUserJob } from './user-batches';

// "Change role" on a whole view (or a list of ids) as a job (POST /api/jobs/role, admins only), as
// a delete job runs (delete-job.ts): batches, progress, Cancel, users added after the view left alone.

const CANCELLED = 'Cancelled: the users changed until then keep their new role';

/** Queues giving `selection` the role `to`, for `actor` (an admin), counted under `rateKey`; returns the job. */
export async function startRoleChange(selection: BulkSelection, to: Role, actor: Actor, rateKey: string): Promise<JobDTO> {
  const cutoff = await seenAt(selection);
  const job = await createJob(randomUUID(), 'role', actor.principal, `${describe(selection)} → ${ROLE_LABEL[to]}`, sizeOf(selection));
  const handle: Batch<number> = async (ids, options) => (await roleBatch(job.id, ids, cutoff, to, actor, options)).changed;
  enqueue(job.id, () => runUserJob(job.id, idBatches(selection), handle, { actor, rateKey, count: 'updated', cancelled: CANCELLED }));
  return job;
}
