import 'server-only';
import { db, query } from '@/lib/server/db';
import { NotFoundError } from '@/lib/server/errors';
import type { Job } from '@/lib/server/generated/prisma/client';
import { isFinished, JOB_KINDS, JOB_STATES, type JobDTO, type JobKind, type JobState } from '@/lib/shared/jobs';
import { canManageAccess, type Role } from '@/lib/shared/roles';

// Jobs as the database keeps them (the Job table) and the API shows them (JobDTO). A job is the
// business of the person who started it and of admins: anyone else gets 404, as for a job that
// does not exist (job ids are random, and not a way to learn who imports what).

const asState = (state: string): JobState => JOB_STATES.find((known) => known === state) ?? 'failed';

const asKind = (kind: string): JobKind => JOB_KINDS.find((known) => known === kind) ?? 'import';

export function toJobDTO(row: Job): JobDTO {
  const kind = asKind(row.kind);
  return {
    id: row.id,
    kind,
    state: asState(row.state),
    fileName: row.fileName,
    principal: row.principal,
    bytes: row.bytes,
    bytesRead: row.bytesRead,
    read: row.read,
    created: row.created,
    // The table's `updated` column counts what a job changed: the users an import or a role change
    // updated, a delete deleted, a restore restored.
    updated: kind === 'import' || kind === 'role' ? row.updated : 0,
    deleted: kind === 'delete' ? row.updated : 0,
    restored: kind === 'restore' ? row.updated : 0,
    unchanged: row.unchanged,
    failed: row.failed,
    error: row.error,
    createdAt: row.createdAt.toISOString(),
    startedAt: row.startedAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
    reportUrl: `/api/jobs/${row.id}/report`,
  };
}

/** Who asks about a job: its starter (same principal) or an admin may see and cancel it. */
export type JobCaller = { principal: string; role: Role };

/** A new job, queued: an import of a file already stored (`bytes` its size), or a delete of `bytes` users. */
export async function createJob(id: string, kind: JobKind, principal: string, fileName: string, bytes: number): Promise<JobDTO> {
  return toJobDTO(await query('job create', () => db.job.create({ data: { id, kind, principal, fileName, bytes } })));
}

/** The job `id` as `caller` may see it; NotFoundError when there is none or it is not theirs. */
export async function jobFor(id: string, caller: JobCaller): Promise<JobDTO> {
  const row = await query('job read', () => db.job.findUnique({ where: { id } }));
  if (!row || (row.principal !== caller.principal && !canManageAccess(caller.role))) throw new NotFoundError('No such job');
  return toJobDTO(row);
}

/** Asks the job to stop between batches (whichever instance runs it); a finished job stays as it ended. */
export async function requestCancel(id: string, caller: JobCaller): Promise<JobDTO> {
  const job = await jobFor(id, caller);
  if (isFinished(job.state)) return job;
  await query('job cancel', () => db.job.updateMany({ where: { id, state: { in: ['queued', 'running'] } }, data: { cancelRequested: true } }));
  return jobFor(id, caller);
}

/** The person's newest import while it is queued or runs: their dashboard shows its progress again after a reload. */
export async function currentImportOf(principal: string): Promise<JobDTO | null> {
  const row = await query('job read', () => db.job.findFirst({ where: { principal, kind: 'import' }, orderBy: { createdAt: 'desc' } }));
  return row && !isFinished(toJobDTO(row).state) ? toJobDTO(row) : null;
}

/** The job's failed rows, in file order, `batch` at a time (the report streams them). */
export async function* failuresOf(jobId: string, batch = 1_000): AsyncGenerator<{ line: number; field: string; message: string }[]> {
  let after = 0;
  for (;;) {
    const rows = await query('job report read', () =>
      db.jobFailure.findMany({ where: { jobId, id: { gt: after } }, orderBy: { id: 'asc' }, take: batch, select: { id: true, line: true, field: true, message: true } }),
    );
    if (rows.length > 0) yield rows.map(({ line, field, message }) => ({ line, field, message }));
    if (rows.length < batch) return;
    after = rows.at(-1)?.id ?? after;
  }
}
