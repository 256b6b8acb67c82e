import 'server-only';
import { randomUUID } from 'node:crypto';
import { db, query } from '@/lib/server/db';
import { ValidationError } from '@/lib/server/errors';
import { type Actor, toHubEvent } from '@/lib/server/events/event-log';
import { restoreBatch } from '@/lib/server/users/bulk-restore';
import type { UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { USER_BATCH_ROWS, enqueue } from './runner';
import { createJob } from './store';
import { type Batch, runUserJob } from './user-batches';

// "Restore" on a delete's activity entry, as a job (POST /api/jobs/restore {eventId}): one user's
// delete, or every user a delete job took — read back from the event log while it keeps them
// (EVENT_RETENTION_DAYS), a batch at a time (users/bulk-restore.ts).

const CANCELLED = 'Cancelled: the users restored until then stay restored';

/** Where a restore reads its users: one delete event, or a delete job's events (before its entry). */
type Source = { eventId: number } | { deleteJobId: string; before: number; count: number };

const NOT_A_DELETE = 'This is not the id of a delete’s entry in the activity (GET /api/activity: an entry whose kind is "deleted", or a bulk delete’s)';

/** Queues the restore of what the activity entry `eventId` deleted; 400 when it is not a delete's entry. */
export async function startRestore(eventId: number, actor: Actor, rateKey: string): Promise<JobDTO> {
  const row = await query('event read', () => db.event.findUnique({ where: { id: eventId }, select: { id: true, type: true, data: true, previous: true, listed: true } }));
  // A user's delete is on their history whether it was theirs alone or a bulk delete's; a bulk delete's own entry is its last (listed) progress event.
  const event = row && (row.listed || row.type === 'user_deleted') ? toHubEvent(row) : null;
  let source: Source;
  let description: string;
  let size: number;
  if (event?.type === 'user_deleted') {
    source = { eventId };
    description = event.user.name;
    size = 1;
  } else if (event?.type === 'users_imported' && event.job.kind === 'delete') {
    source = { deleteJobId: event.job.id, before: eventId, count: event.job.deleted };
    description = event.job.fileName;
    size = event.job.deleted;
  } else {
    throw new ValidationError({ eventId: [NOT_A_DELETE] });
  }
  const job = await createJob(randomUUID(), 'restore', actor.principal, description, size);
  const handle: Batch<UserDTO> = async (users, options) => (await restoreBatch(job.id, users, actor, options)).restored;
  enqueue(job.id, () => runUserJob(job.id, deletedUsers(source), handle, { actor, rateKey, count: 'restored', cancelled: CANCELLED }));
  return job;
}

/**
 * The users the source deleted, as their deletes recorded them, a batch at a time. A delete job's lie
 * before its entry: read back from it in windows of ids, each along the (jobId, id) index, until all
 * it deleted are found (or the log's start: EVENT_RETENTION_DAYS may have pruned some). A window
 * bounds each read whatever plan the database picks: asked for "the job's next 250 before this id",
 * PostgreSQL, whose statistics lag behind a job's fresh 100,000 events, sorted all of them every time
 * (the undo of 100,000 users took 22.9 s instead of 15).
 */
async function* deletedUsers(source: Source): AsyncGenerator<UserDTO[]> {
  const read = (where: object) => db.event.findMany({ where, orderBy: { id: 'desc' }, take: USER_BATCH_ROWS, select: { id: true, type: true, data: true, previous: true } });
  const users = (rows: Awaited<ReturnType<typeof read>>) => rows.map(toHubEvent).flatMap((event) => (event.type === 'user_deleted' ? [event.user] : []));
  if ('eventId' in source) {
    const one = users(await read({ id: source.eventId }));
    if (one.length > 0) yield one;
    return;
  }
  const oldest = (await db.event.findFirst({ orderBy: { id: 'asc' }, select: { id: true } }))?.id ?? source.before;
  let found = 0;
  for (let before = source.before; found < source.count && before > oldest; before -= USER_BATCH_ROWS) {
    const batch = users(await read({ jobId: source.deleteJobId, id: { lt: before, gte: before - USER_BATCH_ROWS } }));
    found += batch.length;
    if (batch.length > 0) yield batch;
  }
}
