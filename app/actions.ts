'use server';

import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentCaller } from '@/lib/server/auth';
import { endSessionsOf } from '@/lib/server/auth/accounts';
import { createInvite } from '@/lib/server/auth/invites';
import { siteOrigin } from '@/lib/server/cross-site';
import type { UserDTO } from '@/lib/shared/dto';
import { ConflictError, ForbiddenError, NotFoundError, PreconditionFailedError, RateLimitedError, ServiceUnavailableError } from '@/lib/server/errors';
import { requestIdOf } from '@/lib/server/logger';
import type { MailOutcome } from '@/lib/server/mail';
import { assertWriteAllowed } from '@/lib/server/rate-limit';
import { traced, tracedWrite } from '@/lib/server/tracing';
import * as users from '@/lib/server/users';
import { mergeEdit } from '@/lib/shared/merge-edit';
import { localPath } from '@/lib/shared/local-path';
import { canWrite, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { type FieldErrors, fieldErrorsOf, USER_FIELDS, type UserField, userIdSchema, userInputSchema } from '@/lib/shared/validation';

export type CreateUserState = {
  status: 'idle' | 'success' | 'error';
  message?: string;
  fieldErrors?: FieldErrors;
  /** What was submitted, so a rejected form keeps its values (also without JavaScript). */
  values?: UserValues;
};

export type DeleteUserState = { error?: string };

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
  return error.fieldErrors.role?.[0] ?? 'Please fix the highlighted fields.';
}

/** Who is writing, if signed in and within their write allowance; otherwise the message to show. */
async function mayWrite(): Promise<users.Actor | string> {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const requestHeaders = await headers();
  try {
    if (!canWrite(caller.role)) return VIEWER_MESSAGE;
    await assertWriteAllowed(caller, requestHeaders);
    return { principal: caller.principal, requestId: requestIdOf(requestHeaders), role: caller.role, sessionId: caller.sessionId };
  } catch (error) {
    if (error instanceof RateLimitedError) return `You are making changes too quickly. Try again in ${error.retryAfterSeconds} s.`;
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

export async function deleteUser(_previous: DeleteUserState, formData: FormData): Promise<DeleteUserState> {
  const actor = await mayWrite();
  if (typeof actor === 'string') return { error: actor };
  return tracedWrite('delete', async () => {
    const id = traced('validate', () => userIdSchema.safeParse(text(formData, 'id')));
    if (!id.success) return { error: 'No such user.' };
    try {
      await users.deleteUser(id.data, actor);
    } catch (error) {
      if (error instanceof ServiceUnavailableError) return { error: error.message };
      if (error instanceof ConflictError || error instanceof ForbiddenError) return { error: refusal(error) };
      // Someone else deleted it first: the row is gone either way.
      if (!(error instanceof NotFoundError)) throw error;
    }
    revalidatePath('/');
    return {};
  });
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
 * An admin's action on one person of the form's `id` (invite, end sessions): the actor's checks,
 * then `run`; a refusal the person can act on becomes `{ error }`, as the API's 403 / 404 / 409 would.
 */
async function onePerson<T>(formData: FormData, run: (id: number, actor: users.Actor) => Promise<T>): Promise<T | { error: string }> {
  const actor = await mayWrite();
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
  return onePerson(formData, async (id, actor) => {
    const { url, expiresAt, email } = await createInvite(id, actor, siteOrigin(await headers()));
    return { url, expiresAt: expiresAt.toISOString(), email };
  });
}

/** What "End sessions" did: how many sessions ended, or why none did. */
export type EndSessionsState = { ended?: number; error?: string };

/** An admin ends every session of a person, on every instance, as DELETE /api/users/{id}/sessions does. */
export async function endSessions(_previous: EndSessionsState, formData: FormData): Promise<EndSessionsState> {
  return onePerson(formData, async (id, actor) => ({ ended: await endSessionsOf(id, actor) }));
}
