'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentCaller } from '@/lib/server/auth';
import { endSessionsOf } from '@/lib/server/auth/accounts';
import { createInvite, INVITES_ADMINS_ONLY } from '@/lib/server/auth/invites';
import { siteOrigin } from '@/lib/server/cross-site';
import type { UserDTO } from '@/lib/shared/dto';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RateLimitedError, ServiceUnavailableError, ValidationError } from '@/lib/server/errors';
import { startRestore } from '@/lib/server/jobs';
import { restoreRequestSchema } from '@/lib/shared/bulk';
import type { JobDTO } from '@/lib/shared/jobs';
import { requestIdOf } from '@/lib/server/logger';
import type { MailOutcome } from '@/lib/server/mail';
import { assertWriteAllowed, rateKeyOf } from '@/lib/server/rate-limit';
import { traced, tracedWrite } from '@/lib/server/tracing';
import * as users from '@/lib/server/users';
import { mergeEdit } from '@/lib/shared/merge-edit';
import { localPath } from '@/lib/shared/local-path';
import { ADMINS_ONLY_MESSAGE, canManageAccess, canWrite, ROLE_LABEL, type Role, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { type FieldErrors, fieldErrorsOf, roleSchema, USER_FIELDS, type UserField, userIdSchema, userIdsSchema, userInputSchema } from '@/lib/shared/validation';

export type CreateUserState = {
  status: 'idle' | 'success' | 'error';
  message?: string;
  fieldErrors?: FieldErrors;
  /** What was submitted, so a rejected form keeps its values (also without JavaScript). */
  values?: UserValues;
};

/**
 * What the dashboard's delete forms did. A delete: the users it deleted (`name`: theirs, or "3
 * users"; `at`: when, so a second delete of the same name is news too), whose notice offers Undo.
 * The selection's "Change role": whose role is now `role`. And why it did not (all), for the row
 * whose form it was (`id`) or for the selection.
 */
export type DeleteUserState = {
  deleted?: { ids: number[]; name: string; at: number };
  changed?: { ids: number[]; name: string; role: Role; at: number };
  error?: string;
  id?: number;
};

/** What an Undo or a Restore did: who is back ("Ada Lovelace", "3 users"), and why any are not. */
export type RestoreUserState = { restored?: { ids: number[]; name: string }; error?: string };

export type EditUserState =
  | { status: 'idle' }
  | { status: 'error'; message: string; fieldErrors?: FieldErrors; values?: UserValues }
  /** Someone else changed the user first: the form keeps what was typed (`values`) next to the user as it is now. */
  | { status: 'stale'; message: string; current: UserDTO; values: UserValues; conflicts: UserValues }
  | { status: 'saved'; user: UserDTO };

/** A text field of the form; '' when it is missing — or when what arrived is not a form at all. */
function text(formData: FormData, key: string): string {
  const value: unknown = formData instanceof FormData ? formData.get(key) : null;
  return typeof value === 'string' ? value : '';
}

/** The user's fields as typed, unvalidated: what a rejected form shows again. */
type UserValues = Partial<Record<UserField, string>>;

/** Fields the schema lets a write leave out (the role): a form without them leaves them as they are. */
const OPTIONAL_FIELDS = new Set(USER_FIELDS.filter((field) => userInputSchema.shape[field].safeParse(undefined).success));

/** The fields the form has, and '' for a required one it lacks (the schema then says it is required). */
function userValues(formData: FormData): UserValues {
  const present = (field: UserField) => formData instanceof FormData && formData.has(field);
  return Object.fromEntries(USER_FIELDS.filter((field) => present(field) || !OPTIONAL_FIELDS.has(field)).map((field) => [field, text(formData, field)]));
}

/** What a refused write says: the conflict's own words where it is not about a field the form shows. */
function refusal(error: ConflictError | ForbiddenError): string {
  if (error instanceof ForbiddenError) return error.message;
  // A conflict with words of its own (a restore's: back already, email taken) says them.
  return error.fieldErrors.role?.[0] ?? (error.message === 'Conflict' ? 'Please fix the highlighted fields.' : error.message);
}

const tooQuickly = (error: RateLimitedError) => `You are making changes too quickly. Try again in ${error.retryAfterSeconds} s.`;

/**
 * Who is writing, if signed in and within their write allowance; otherwise the message to show.
 * `another` counts one more write against the same allowance (a selection's second user and on);
 * RateLimitedError past it.
 */
async function mayWrite(adminsOnly?: string): Promise<(users.Actor & { another: () => Promise<void>; rateKey: string }) | string> {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const requestHeaders = await headers();
  try {
    // Refused for want of a role before the write is counted: a refusal costs nothing of the allowance.
    if (!canWrite(caller.role)) return VIEWER_MESSAGE;
    if (adminsOnly && !canManageAccess(caller.role)) return adminsOnly;
    await assertWriteAllowed(caller, requestHeaders);
    return {
      principal: caller.principal,
      requestId: requestIdOf(requestHeaders),
      role: caller.role,
      sessionId: caller.sessionId,
      another: () => assertWriteAllowed(caller, requestHeaders),
      rateKey: rateKeyOf(caller, requestHeaders),
    };
  } catch (error) {
    if (error instanceof RateLimitedError) return tooQuickly(error);
    throw error;
  }
}

export async function createUser(_previous: CreateUserState, formData: FormData): Promise<CreateUserState> {
  const values = userValues(formData);
  const actor = await mayWrite();
  if (typeof actor === 'string') return { status: 'error', message: actor, values };
  return tracedWrite('create', async () => {
    const parsed = traced('validate', () => userInputSchema.safeParse(values));
    if (!parsed.success) {
      return { status: 'error', message: 'Please fix the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error), values };
    }
    try {
      const user = await users.createUser(parsed.data, actor);
      revalidatePath('/');
      return { status: 'success', message: `Added ${user.name}.` };
    } catch (error) {
      if (error instanceof ConflictError || error instanceof ForbiddenError) {
        return { status: 'error', message: refusal(error), fieldErrors: error instanceof ConflictError ? error.fieldErrors : undefined, values };
      }
      if (error instanceof ServiceUnavailableError) return { status: 'error', message: error.message, values };
      throw error;
    }
  });
}

/**
 * The dashboard's delete forms: a row's Delete and the selection's bar, whose "Change role" button
 * sends `intent=role` (one form, so one action: React keeps one action state per form, also
 * without JavaScript).
 */
export async function deleteOrChangeRole(_previous: DeleteUserState, formData: FormData): Promise<DeleteUserState> {
  return text(formData, 'intent') === 'role' ? changeRole(formData) : deleteUsers(formData);
}

/**
 * Deletes the form's users: a row's Delete sends one `id`, "Delete selected" the page's checked
 * rows (at most SELECTION_MAX). Each delete is a write of its own — its own event, its own check of
 * who may delete whom, one of the writer's allowance — so a selection is not a way around the
 * limits: past them it stops and says how far it got. A user already gone is skipped.
 */
async function deleteUsers(formData: FormData): Promise<DeleteUserState> {
  const given = formData instanceof FormData ? formData.getAll('id').filter((id) => typeof id === 'string') : [];
  // The row whose form it was, which shows a refusal (the dashboard's deletes share one state).
  const row = given.length === 1 ? Number(given[0]) : undefined;
  const actor = await mayWrite();
  if (typeof actor === 'string') return { error: actor, id: row };
  return tracedWrite('delete', async () => {
    const ids = traced('validate', () => userIdsSchema.safeParse(given));
    if (!ids.success) return { error: given.length === 1 ? 'No such user.' : (ids.error.issues[0]?.message ?? 'No such users.'), id: row };
    const gone: { id: number; name: string }[] = [];
    let error: string | undefined;
    for (const [index, id] of ids.data.entries()) {
      try {
        // The first write was counted by mayWrite; each further one counts too.
        if (index > 0) await actor.another();
        const user = await users.deleteUser(id, actor);
        gone.push({ id: user.id, name: user.name });
      } catch (failure) {
        // Someone else deleted it first: the row is gone either way (and theirs is the delete to undo).
        error = stopsSelection(failure);
        if (error) break;
      }
    }
    if (gone.length > 0) revalidatePath('/');
    const deleted = gone.length > 0 ? { ids: gone.map((user) => user.id), name: namesOf(gone), at: Date.now() } : undefined;
    if (error && ids.data.length > 1) error = `${gone.length > 0 ? `Deleted ${namesOf(gone)}, then stopped` : 'Deleted no one'}: ${error}`;
    return { deleted, error, id: error ? row : undefined };
  });
}

/**
 * Why a selection's writes stop at `failure`, as the person reads it; undefined for a user gone
 * meanwhile (skipped, the rest go on). Anything else is not the client's doing: thrown.
 */
function stopsSelection(failure: unknown): string | undefined {
  if (failure instanceof NotFoundError) return undefined;
  if (failure instanceof RateLimitedError) return tooQuickly(failure);
  if (failure instanceof ServiceUnavailableError) return failure.message;
  if (failure instanceof ConflictError || failure instanceof ForbiddenError) return refusal(failure);
  throw failure;
}

/** "Ada Lovelace", or "3 users". */
const namesOf = (people: { name: string }[]) => (people.length === 1 ? (people[0]?.name ?? '') : `${people.length} users`);

/**
 * Brings back deleted users (the form's `id`s), as POST /api/users/{id}/restore does for one: Undo
 * (of one delete or a selection's), and Restore in the activity. Each is a write of its own; one
 * that cannot come back (email taken, back already) is reported and the others are restored.
 */
export async function restoreUser(_previous: RestoreUserState, formData: FormData): Promise<RestoreUserState> {
  const actor = await mayWrite();
  if (typeof actor === 'string') return { error: actor };
  const given = formData instanceof FormData ? formData.getAll('id').filter((id) => typeof id === 'string') : [];
  const ids = userIdsSchema.safeParse(given);
  if (!ids.success) return { error: 'No such user.' };
  const back: { id: number; name: string }[] = [];
  const errors: string[] = [];
  for (const [index, id] of ids.data.entries()) {
    try {
      if (index > 0) await actor.another();
      const user = await tracedWrite('restore', () => users.restoreUser(id, actor));
      back.push({ id: user.id, name: user.name });
    } catch (error) {
      if (error instanceof RateLimitedError) {
        errors.push(tooQuickly(error));
        break;
      }
      if (error instanceof ForbiddenError || error instanceof NotFoundError) errors.push(error.message);
      else if (error instanceof ConflictError) errors.push(refusal(error));
      else throw error;
    }
  }
  if (back.length > 0) revalidatePath('/');
  const restored = back.length > 0 ? { ids: back.map((user) => user.id), name: namesOf(back) } : undefined;
  return { restored, error: errors.length > 0 ? errors.join(' ') : undefined };
}

/** What "Restore all" on a bulk delete's activity entry did: the restore job it started, or why none. */
export type RestoreAllState = { job?: JobDTO; error?: string };

/** Restores every user a bulk delete took (the form's `eventId`: its activity entry), as a job, as POST /api/jobs/restore does. */
export async function restoreAll(_previous: RestoreAllState, formData: FormData): Promise<RestoreAllState> {
  const actor = await mayWrite();
  if (typeof actor === 'string') return { error: actor };
  const body = restoreRequestSchema.safeParse({ eventId: Number(text(formData, 'eventId')) });
  if (!body.success) return { error: 'No such delete.' };
  try {
    const { principal, requestId, role, sessionId, rateKey } = actor;
    return { job: await startRestore(body.data.eventId, { principal, requestId, role, sessionId }, rateKey) };
  } catch (error) {
    if (error instanceof ValidationError) return { error: Object.values(error.fieldErrors)[0]?.[0] ?? 'No such delete.' };
    throw error;
  }
}

/**
 * Gives the selection's users (the form's `id`s, a page's checked rows) the role `to` (admins only).
 * Like "Delete selected", each change is a write of its own (its event, its activity entry, the
 * last-admin rule, one of the writer's allowance) and a refusal stops it there and says how far it
 * got. It names only the role, so it cannot undo an edit made meanwhile; users who have the role
 * already are left as they are.
 */
async function changeRole(formData: FormData): Promise<DeleteUserState> {
  const given = formData instanceof FormData ? formData.getAll('id').filter((id) => typeof id === 'string') : [];
  const actor = await mayWrite(ADMINS_ONLY_MESSAGE);
  if (typeof actor === 'string') return { error: actor };
  const parsed = traced('validate', () => ({ ids: userIdsSchema.safeParse(given), to: roleSchema.safeParse(text(formData, 'to')) }));
  if (!parsed.to.success) return { error: parsed.to.error.issues[0]?.message ?? 'Choose a role' };
  if (!parsed.ids.success) return { error: parsed.ids.error.issues[0]?.message ?? 'No such users.' };
  const to = parsed.to.data;
  const changed: { id: number; name: string }[] = [];
  let error: string | undefined;
  let writes = 0;
  for (const id of parsed.ids.data) {
    try {
      if ((await users.getUser(id)).role === to) continue;
      // The first write was counted by mayWrite; each further one counts too.
      if (writes++ > 0) await actor.another();
      const user = await tracedWrite('edit', () => users.editUser(id, { role: to }, null, actor));
      changed.push({ id: user.id, name: user.name });
    } catch (failure) {
      error = stopsSelection(failure);
      if (error) break;
    }
  }
  if (changed.length > 0) revalidatePath('/');
  const done = changed.length > 0 ? { ids: changed.map((user) => user.id), name: namesOf(changed), role: to, at: Date.now() } : undefined;
  if (error && parsed.ids.data.length > 1) error = `${done ? `Made ${done.name} ${ROLE_LABEL[to]}, then stopped` : 'Changed no one'}: ${error}`;
  return { changed: done, error };
}

/**
 * Saves an edit if the user is still at the version the form was loaded with (a hidden field),
 * so an edit never overwrites one it did not see. The edit page sends `return` and goes back
 * there; the inline editor stays on the dashboard.
 */
export async function editUser(_previous: EditUserState, formData: FormData): Promise<EditUserState> {
  const values = userValues(formData);
  const actor = await mayWrite();
  if (typeof actor === 'string') return { status: 'error', message: actor, values };
  // The redirect stays out of the write's span: it throws by design, and would mark the span failed.
  const saved = await tracedWrite('edit', () => saveEdit(formData, values, actor));
  if (saved.status !== 'saved') return saved;
  revalidatePath('/');
  const back = localPath(text(formData, 'return'));
  if (back) redirect(back);
  return saved;
}

/** editUser's validation and write: the user as saved, or what the form shows instead. */
async function saveEdit(formData: FormData, values: UserValues, actor: users.Actor): Promise<EditUserState> {
  const parsed = traced('validate', () => ({
    id: userIdSchema.safeParse(text(formData, 'id')),
    version: userIdSchema.safeParse(text(formData, 'version')),
    input: userInputSchema.safeParse(values),
  }));
  if (!parsed.id.success || !parsed.version.success) return { status: 'error', message: 'No such user.', values };
  if (!parsed.input.success) {
    return { status: 'error', message: 'Please fix the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.input.error), values };
  }
  try {
    return { status: 'saved', user: await users.editUser(parsed.id.data, parsed.input.data, parsed.version.data, actor) };
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      const was = Object.fromEntries(USER_FIELDS.filter((field) => formData instanceof FormData && formData.has(`was-${field}`)).map((field) => [field, text(formData, `was-${field}`)]));
      return { status: 'stale', message: `${error.message}: your changes are kept. Check them and save again.`, current: error.current, ...mergeEdit(values, was, error.current) };
    }
    if (error instanceof ConflictError || error instanceof ForbiddenError) {
      return { status: 'error', message: refusal(error), fieldErrors: error instanceof ConflictError ? error.fieldErrors : undefined, values };
    }
    if (error instanceof NotFoundError) return { status: 'error', message: 'This user has been deleted.', values };
    if (error instanceof ServiceUnavailableError) return { status: 'error', message: error.message, values };
    throw error;
  }
}

/**
 * An admin's action on one person of the form's `id` (invite, end sessions): the actor's checks
 * (`adminsOnly`: the refusal for anyone else), then `run`; a refusal the person can act on becomes `{ error }`, as the API's 403 / 404 / 409 would.
 */
async function onePerson<T>(formData: FormData, adminsOnly: string, run: (id: number, actor: users.Actor) => Promise<T>): Promise<T | { error: string }> {
  const actor = await mayWrite(adminsOnly);
  if (typeof actor === 'string') return { error: actor };
  const id = userIdSchema.safeParse(text(formData, 'id'));
  if (!id.success) return { error: 'No such user.' };
  try {
    return await run(id.data, actor);
  } catch (error) {
    if (error instanceof ForbiddenError || error instanceof NotFoundError) return { error: error.message };
    if (error instanceof ConflictError) return { error: refusal(error) };
    throw error;
  }
}

/** An invite link made from the dashboard: the link to copy, or why there is none. */
export type InviteLinkState = { url?: string; expiresAt?: string; email?: MailOutcome; error?: string };

/** Makes a one-time invite link for a user who has a role (admins only), as POST /api/users/{id}/invite does. */
export async function inviteUser(_previous: InviteLinkState, formData: FormData): Promise<InviteLinkState> {
  return onePerson(formData, INVITES_ADMINS_ONLY, async (id, actor) => {
    const { url, expiresAt, email } = await createInvite(id, actor, siteOrigin(await headers()));
    return { url, expiresAt: expiresAt.toISOString(), email };
  });
}

/** What "End sessions" did: how many sessions ended, or why none did. */
export type EndSessionsState = { ended?: number; error?: string };

/** An admin ends every session of a person, on every instance, as DELETE /api/users/{id}/sessions does. */
export async function endSessions(_previous: EndSessionsState, formData: FormData): Promise<EndSessionsState> {
  return onePerson(formData, ADMINS_ONLY_MESSAGE, async (id, actor) => ({ ended: await endSessionsOf(id, actor) }));
}
