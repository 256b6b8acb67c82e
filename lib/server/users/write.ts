import 'server-only';
import { db, type KnownErrors, query, type Tx } from '@/lib/server/db';
import type { UserDTO, UserEvent } from '@/lib/shared/dto';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError } from '@/lib/server/errors';
import { sessionIdsOf, sessionRelay, takeSessions } from '@/lib/server/auth/sessions';
import { hub } from '@/lib/server/events';
import { type Actor, appendEvent, lastDeletion, lockEventOrder } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { CRASH_AFTER_COMMIT } from '@/lib/server/test-faults';
import { traced } from '@/lib/server/tracing';
import { DUPLICATE_EMAIL_MESSAGE, type UserChanges, type UserInput, userFieldsOf } from '@/lib/shared/validation';
import { ADMINS_ONLY_MESSAGE, asRole, canManageAccess, LAST_ADMIN_MESSAGE, type Role } from '@/lib/shared/roles';
import { definedOnly, derivedKeys, toDTO, userSelect } from './fields';

// The data layer's writes. Each change and its event (who made it, what it was before and after)
// are written in one transaction, so no change goes unrecorded and no event exists for a change
// that did not happen; every instance reads its live events from that log
// (lib/server/events/log-hub.ts).

const duplicateEmail: KnownErrors = { P2002: () => new ConflictError({ email: [DUPLICATE_EMAIL_MESSAGE] }) };
const noSuchUser = (id: number): KnownErrors => ({ P2025: () => new NotFoundError(`No user with id ${id}`) });

/** The log line of each change: the verbs the actions and the activity use. */
const LOGGED = {
  user_created: 'user created',
  user_updated: 'user edited',
  user_deleted: 'user deleted',
  user_restored: 'user restored',
  user_invited: 'invite created',
  user_sessions_ended: 'sessions ended by an admin',
} as const;

/**
 * Makes a change and records its event in one transaction, in commit order (lib/server/events/event-log.ts),
 * then rings the hub and logs who made it. Client-caused failures become domain errors.
 */
async function recorded<T>(
  actor: Actor,
  known: KnownErrors,
  change: (tx: Tx) => Promise<{ result: T; event: UserEvent; endedSessions?: string[]; changedSessions?: string[]; logged?: Record<string, unknown> }>,
): Promise<T> {
  const { result, event, endedSessions = [], changedSessions = [], logged = {} } = await traced('transaction', async (span) => {
    const done = await query(
      'user write',
      () =>
        db.$transaction(async (tx) => {
          await lockEventOrder(tx);
          const changed = await change(tx);
          return { ...changed, eventId: await appendEvent(tx, changed.event, actor) };
        }),
      known,
    );
    span.setAttributes({ 'roster.event.id': done.eventId, 'roster.event.type': done.event.type, 'roster.user.id': done.event.user.id });
    return done;
  });
  if (CRASH_AFTER_COMMIT) process.kill(process.pid, 'SIGKILL');
  // Access taken away: the person's sessions went with the change; their streams end everywhere.
  if (endedSessions.length > 0) await sessionRelay.endSessions(endedSessions);
  // A role that keeps access: every instance reads the person's sessions afresh before the event is out.
  if (changedSessions.length > 0) await sessionRelay.changedSessions(changedSessions);
  // Awaited: once the write is acknowledged, the writer's own streams and this instance's page tags
  // include it (a poll right after its own write must not get a 304 for the page before it). One
  // indexed read; everyone else's streams get it in the fan-out's slices right after.
  await hub.ring(actor.sessionId ?? undefined);
  logger.info({ requestId: actor.requestId, principal: actor.principal, userId: event.user.id, ...logged }, LOGGED[event.type]);
  return result;
}

/**
 * Who may change whose access: giving, changing or taking a role (deleting a user who has one
 * takes it) is for admins only, and the last admin keeps theirs, so Roster always has one. Checked
 * here, under the event-order lock, so no two writes can each leave the other as the last admin.
 */
async function assertAccessChange(tx: Tx, actor: Actor, userId: number | null, from: Role, to: Role): Promise<void> {
  if (from === to) return;
  if (!canManageAccess(actor.role)) throw new ForbiddenError(ADMINS_ONLY_MESSAGE);
  if (from !== 'admin' || userId === null) return;
  const others = await tx.user.count({ where: { role: 'admin', id: { not: userId } } });
  if (others === 0) throw new ConflictError({ role: [LAST_ADMIN_MESSAGE] });
}

/** Creates a validated user (email already normalised by the schema) and records it. */
export function createUser(input: UserInput, actor: Actor): Promise<UserDTO> {
  return recorded(actor, duplicateEmail, async (tx) => {
    const fields = userFieldsOf(input);
    await assertAccessChange(tx, actor, null, 'none', fields.role ?? 'none');
    const user = toDTO(await tx.user.create({ data: { ...fields, ...derivedKeys(fields) }, select: userSelect }));
    return { result: user, event: { type: 'user_created', user } };
  });
}

/**
 * Edits a user's fields (any of them) if it is still at `expectedVersion`, raising the version,
 * and records it with what it was before. NotFoundError when the user is gone;
 * PreconditionFailedError (with the user as it is now) when someone else changed it first.
 * `expectedVersion` null: the user as it is when the transaction reads it (a selection's role
 * change, which names no fields but the role, so it cannot undo an edit it did not see).
 */
export function editUser(id: number, changes: UserChanges, expectedVersion: number | null, actor: Actor): Promise<UserDTO> {
  return recorded(actor, { ...duplicateEmail, ...noSuchUser(id) }, async (tx) => {
    // Read under the event-order lock: no other edit can land between this read and the update.
    const row = await tx.user.findUnique({ where: { id }, select: userSelect });
    if (!row) throw new NotFoundError(`No user with id ${id}`);
    const previous = toDTO(row);
    if (expectedVersion !== null && previous.version !== expectedVersion) throw new PreconditionFailedError(previous);
    const fields = userFieldsOf({ ...previous, ...definedOnly(changes) });
    await assertAccessChange(tx, actor, id, previous.role, fields.role);
    const updated = await tx.user.update({
      // The version in the condition keeps it compare-and-set even without the lock (SQLite).
      where: { id, version: previous.version },
      data: { ...fields, ...derivedKeys(fields), version: { increment: 1 } },
      select: userSelect,
    });
    const user = toDTO(updated);
    // Access taken away: the person's sessions go in this transaction, so no request after it is let
    // in. A role that keeps access: their sessions are read afresh everywhere.
    const endedSessions = fields.role === 'none' && previous.role !== 'none' ? await takeSessions(tx, id) : [];
    const changedSessions = fields.role !== previous.role && fields.role !== 'none' ? await sessionIdsOf(tx, id) : [];
    return { result: user, event: { type: 'user_updated', user, previous }, endedSessions, changedSessions };
  });
}

/** Deletes a user and records it; the user as deleted; NotFoundError (and no event) when there is no such user. */
export function deleteUser(id: number, actor: Actor): Promise<UserDTO> {
  return recorded(actor, noSuchUser(id), async (tx) => {
    const found = await tx.user.findUnique({ where: { id }, select: { role: true } });
    if (!found) throw new NotFoundError(`No user with id ${id}`);
    await assertAccessChange(tx, actor, id, asRole(found.role), 'none');
    const endedSessions = await takeSessions(tx, id);
    const user = toDTO(await tx.user.delete({ where: { id }, select: userSelect }));
    return { result: user, event: { type: 'user_deleted', id, user }, endedSessions };
  });
}

/** What a restore says when the user is back already (someone restored them first). */
export const ALREADY_HERE_MESSAGE = 'This user is in the directory already.';
/** Why a deleted user cannot come back: someone else has their email now (one restore's 409, a line of a restore job's report). */
export const emailTakenMessage = (user: { name: string; email: string }) => `${user.name} cannot come back: ${user.email} belongs to another user now.`;

/**
 * Brings a deleted user back as their newest deletion recorded them — same id, name, email, role
 * and created time, the version past the one deleted (an edit begun before the delete is stale) —
 * and records it. ConflictError when they are in the directory (back already, or never deleted) or
 * someone else has their email now; NotFoundError when the log holds no deletion of `id` (no such
 * user, or pruned after EVENT_RETENTION_DAYS); a role is access, so restoring someone with one is for admins, as deleting them was.
 * Their sign-in (password, passkeys, sessions) went with the delete: an admin invites them again.
 */
export function restoreUser(id: number, actor: Actor): Promise<UserDTO> {
  return recorded(actor, duplicateEmail, async (tx) => {
    if (await tx.user.findUnique({ where: { id }, select: { id: true } })) throw new ConflictError({}, ALREADY_HERE_MESSAGE);
    const deleted = await lastDeletion(tx, id);
    if (!deleted) throw new NotFoundError(`No deleted user with id ${id} on record`);
    if (await tx.user.findUnique({ where: { email: deleted.email }, select: { id: true } })) {
      throw new ConflictError({ email: [`${deleted.email} belongs to another user now.`] }, emailTakenMessage(deleted));
    }
    const fields = userFieldsOf(deleted);
    await assertAccessChange(tx, actor, null, 'none', fields.role);
    const restored = await tx.user.create({
      data: { id, ...fields, ...derivedKeys(fields), createdAt: new Date(deleted.createdAt), version: deleted.version + 1 },
      select: userSelect,
    });
    const user = toDTO(restored);
    return { result: user, event: { type: 'user_restored', user } };
  });
}

/**
 * Records a change of `id`'s access that leaves their entry as it is (an invite sent, their sessions
 * ended by an admin), made by `change` in the same transaction; NotFoundError when there is no such user.
 */
export function recordAccess<T>(
  id: number,
  type: 'user_invited' | 'user_sessions_ended',
  actor: Actor,
  change: (tx: Tx, user: UserDTO) => Promise<{ result: T; endedSessions?: string[]; logged?: Record<string, unknown> }>,
): Promise<T> {
  return recorded(actor, noSuchUser(id), async (tx) => {
    const found = await tx.user.findUnique({ where: { id }, select: userSelect });
    if (!found) throw new NotFoundError(`No user with id ${id}`);
    const user = toDTO(found);
    return { ...(await change(tx, user)), event: { type, user } };
  });
}
