import 'server-only';
import { z } from 'zod';
import { db, query } from './db';
import type { ActivityDTO, ActivityPageDTO, FieldChange } from '@/lib/shared/dto';
import { ValidationError } from './errors';
import { newestEventId, toHubEvent } from '@/lib/server/events/event-log';
import { principalUserId } from '@/lib/shared/principal';
import { fieldErrorsOf, USER_FIELDS, userIdSchema } from '@/lib/shared/validation';
import { JOB_KINDS } from '@/lib/shared/jobs';

// The activity: the event log read as an audit trail, newest first, a page at a time.

const ACTIVITY_PAGE_SIZE = 50;

/** GET /api/activity's query: `user` filters by a user's id, `job` by a job's (its users), `cursor` is the page after (an event id). */
export const activityParamsSchema = z.object({
  user: userIdSchema.optional(),
  job: z.uuid('job must be a job’s id (the activity entry’s job.id)').optional(),
  cursor: z.coerce.number().int('cursor must be an event id').positive('cursor must be an event id').max(2 ** 31 - 1, 'cursor must be an event id').optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 200').max(200, 'limit must be 1 to 200').default(ACTIVITY_PAGE_SIZE),
}).refine((params) => params.user === undefined || params.job === undefined, { path: ['job'], message: 'Ask for one user’s changes or one job’s users, not both' });
type ActivityParams = z.infer<typeof activityParamsSchema>;

const KIND = { user_created: 'created', user_updated: 'edited', user_deleted: 'deleted', user_restored: 'restored', user_invited: 'invited', user_sessions_ended: 'sessions ended' } as const;

type Row = { id: number; type: string; data: string; previous: string | null; principal: string; createdAt: Date; jobId: string | null };

function toActivity(row: Row, names: Map<number, string>, files: Map<string, { fileName: string; kind: string }>): ActivityDTO {
  const event = toHubEvent(row);
  const actorId = principalUserId(row.principal);
  const actorName = actorId === null ? undefined : names.get(actorId);
  const actor = actorId === null || actorName === undefined ? null : { id: actorId, name: actorName };
  const base = { id: row.id, at: row.createdAt.toISOString(), principal: row.principal, actor };
  if (event.type === 'users_imported') return { ...base, kind: 'imported', job: event.job };
  const changes: FieldChange[] = [];
  if (event.type === 'user_updated') {
    for (const field of USER_FIELDS) {
      if (event.previous[field] !== event.user[field]) changes.push({ field, from: event.previous[field], to: event.user[field] });
    }
  }
  const job = row.jobId === null ? undefined : files.get(row.jobId);
  const importedFrom = row.jobId === null ? null : { jobId: row.jobId, fileName: job?.fileName ?? '', kind: JOB_KINDS.find((kind) => kind === job?.kind) ?? 'import' };
  return { ...base, kind: KIND[event.type], user: event.user, changes, importedFrom };
}

/** A page of changes, newest first: all of them, one user's (which outlives the user), or one job's (its users, each once). */
export async function listActivity({ user, job, cursor, limit }: ActivityParams): Promise<ActivityPageDTO> {
  return query('activity read', async () => {
    // The stream cursor is read first: a page may hold events after it, which the stream then
    // repeats, and the feed refetches its page — never the other way round (a change missed).
    const lastEventId = await newestEventId(db);
    // A user's history holds every change to them, an import's rows included; the whole activity
    // lists an import once (its `listed` progress event), walking the (listed, id) index past its rows;
    // a job's users are its rows, along the (jobId, id) index.
    const rows = await db.event.findMany({
      where: { ...(user ? { userId: user } : job ? { jobId: job } : { listed: true }), ...(cursor ? { id: { lt: cursor } } : {}) },
      orderBy: { id: 'desc' },
      take: limit + 1,
      select: { id: true, type: true, data: true, previous: true, principal: true, createdAt: true, jobId: true },
    });
    const page = rows.slice(0, limit);
    // The people who made this page's changes, by their names now: one read of at most a page of ids.
    const actorIds = [...new Set(page.map((row) => principalUserId(row.principal)).filter((id) => id !== null))];
    const actors = actorIds.length === 0 ? [] : await db.user.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true }, take: actorIds.length });
    const names = new Map(actors.map((actor) => [actor.id, actor.name]));
    // The jobs (imports, bulk changes) this page's rows came from: one read of at most a page of job ids.
    const jobIds = [...new Set(page.map((row) => row.jobId).filter((id) => id !== null))];
    const jobs = jobIds.length === 0 ? [] : await db.job.findMany({ where: { id: { in: jobIds } }, select: { id: true, fileName: true, kind: true } });
    const files = new Map(jobs.map((job) => [job.id, { fileName: job.fileName, kind: job.kind }]));
    const entries = page.map((row) => toActivity(row, names, files));
    const last = entries.at(-1);
    return { entries, nextCursor: rows.length > limit && last ? String(last.id) : null, lastEventId };
  });
}

/** The page an API query asks for (`user` or `job`, `cursor`, `limit`); ValidationError (400) for a bad one. */
export async function activityFor(query: Record<string, string>): Promise<ActivityPageDTO> {
  const parsed = activityParamsSchema.safeParse(query);
  if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
  return listActivity(parsed.data);
}
