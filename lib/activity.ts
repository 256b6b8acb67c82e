import 'server-only';
import { z } from 'zod';
import { db } from './db';
import type { ActivityDTO, ActivityPageDTO, FieldChange } from './dto';
import { ServiceUnavailableError } from './errors';
import { newestEventId, toHubEvent } from './events/log';
import { log } from './log';

// The activity: the event log read as an audit trail, newest first, a page at a time.

const ACTIVITY_PAGE_SIZE = 50;

const positiveId = z.coerce.number({ error: 'must be a positive whole number' }).int('must be a positive whole number').positive('must be a positive whole number').max(2 ** 31 - 1, 'is too large');

/** GET /api/activity's query: `user` filters by a user's id, `cursor` is the page after. */
export const activityParamsSchema = z.object({
  user: positiveId.optional(),
  cursor: positiveId.optional(),
  limit: z.coerce.number().int().min(1, 'limit must be 1 to 200').max(200, 'limit must be 1 to 200').default(ACTIVITY_PAGE_SIZE),
});
type ActivityParams = z.infer<typeof activityParamsSchema>;

const KIND = { user_created: 'created', user_updated: 'edited', user_deleted: 'deleted' } as const;

type Row = { id: number; type: string; data: string; previous: string | null; principal: string; createdAt: Date };

function toActivity(row: Row): ActivityDTO {
  const event = toHubEvent(row);
  const changes: FieldChange[] = [];
  if (event.type === 'user_updated') {
    for (const field of ['name', 'email'] as const) {
      if (event.previous[field] !== event.user[field]) changes.push({ field, from: event.previous[field], to: event.user[field] });
    }
  }
  return { id: row.id, at: row.createdAt.toISOString(), principal: row.principal, kind: KIND[event.type], user: event.user, changes };
}

/** A page of changes, newest first: all of them, or one user's (which outlives the user). */
export async function listActivity({ user, cursor, limit }: ActivityParams): Promise<ActivityPageDTO> {
  try {
    return await db.$transaction(async (tx) => {
      const lastEventId = await newestEventId(tx);
      const rows = await tx.event.findMany({
        where: { ...(user ? { userId: user } : {}), ...(cursor ? { id: { lt: cursor } } : {}) },
        orderBy: { id: 'desc' },
        take: limit + 1,
        select: { id: true, type: true, data: true, previous: true, principal: true, createdAt: true },
      });
      const entries = rows.slice(0, limit).map(toActivity);
      const last = entries.at(-1);
      return { entries, nextCursor: rows.length > limit && last ? String(last.id) : null, lastEventId };
    });
  } catch (error) {
    log.error({ err: error }, 'activity query failed');
    throw new ServiceUnavailableError();
  }
}
