import 'server-only';
import { db, query } from '@/lib/server/db';
import { ValidationError } from '@/lib/server/errors';
import { walkView } from '@/lib/server/users/read';
import type { BulkSelection } from '@/lib/shared/bulk';
import { searchText } from '@/lib/shared/directory/keys';
import { ROLE_LABEL } from '@/lib/shared/roles';
import { USER_BATCH_ROWS } from './runner';

// What a bulk job acts on (a delete, a role change): a list of ids, or a view as it was seen.

/** "users matching “test” with the role No access", "3 selected users": for the job and the activity. */
export function describe(selection: BulkSelection): string {
  if ('ids' in selection) return `${selection.ids.length.toLocaleString('en-US')} selected ${selection.ids.length === 1 ? 'user' : 'users'}`;
  const q = searchText(selection.q);
  const parts = [q ? `matching “${q}”` : '', selection.role ? `with the role ${ROLE_LABEL[selection.role]}` : ''].filter(Boolean);
  return parts.length > 0 ? `users ${parts.join(' ')}` : 'every user';
}

/**
 * When the view was seen (its event's time; null for a list of ids): users added after it are left
 * alone. ValidationError (400) when the event is not on record (never was, or pruned).
 */
export async function seenAt(selection: BulkSelection): Promise<Date | null> {
  if (!('atEventId' in selection)) return null;
  const seen = await query('event read', () => db.event.findUnique({ where: { id: selection.atEventId }, select: { createdAt: true } }));
  if (!seen) throw new ValidationError({ atEventId: ['No event with this id is on record: list the users again and use its lastEventId'] });
  return seen.createdAt;
}

/** How many users the selection holds, for the progress bar: the ids, or the total the view had when seen (if given). */
export const sizeOf = (selection: BulkSelection): number => ('ids' in selection ? selection.ids.length : (selection.total ?? 0));

/** The selection's user ids, a batch at a time: the list as given, or the view walked in creation order. */
export async function* idBatches(selection: BulkSelection): AsyncGenerator<number[]> {
  if ('ids' in selection) {
    for (let at = 0; at < selection.ids.length; at += USER_BATCH_ROWS) yield selection.ids.slice(at, at + USER_BATCH_ROWS);
    return;
  }
  for await (const users of walkView({ q: selection.q, role: selection.role, sort: 'createdAt', order: 'asc' }, USER_BATCH_ROWS)) yield users.map((user) => user.id);
}
