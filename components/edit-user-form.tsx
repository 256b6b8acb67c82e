'use client';

import { useActionState, useEffect } from 'react';
import { editUser, type EditUserState } from '@/app/actions';
import type { UserDTO } from '@/lib/shared/dto';
import { PrimaryButton } from '@/components/primary-button';
import { EndSessionsButton } from '@/components/end-sessions-button';
import { InviteButton } from '@/components/invite-button';
import { FormField } from '@/components/form-field';
import { RoleSelect } from '@/components/role-select';
import { asRole, ROLE_LABEL } from '@/lib/shared/roles';
import { useEditorPresence, useOthersEditing } from '@/lib/browser/use-presence';
import { whoIs } from '@/lib/shared/presence';

const IDLE: EditUserState = { status: 'idle' };

/**
 * Edits a user at the version it was loaded with. On the edit page (`returnTo`) a save goes back
 * there; inline, `onDone` closes the editor. When someone else saved first, it says so and shows
 * their values, at their version, to edit again. Admins (`manageAccess`) also choose the role.
 */
export function EditUserForm({
  user,
  returnTo,
  onDone,
  manageAccess = false,
  me = null,
}: {
  user: UserDTO;
  returnTo?: string;
  onDone?: () => void;
  manageAccess?: boolean;
  /** The signed-in person: others editing this user are named, not them. */
  me?: number | null;
}) {
  // Everyone else's dashboards mark this row while the editor is open, and this one names them.
  useEditorPresence(user.id);
  const alsoEditing = useOthersEditing(me).get(user.id);
  const [state, formAction, pending] = useActionState(editUser, IDLE);
  const shown = state.status === 'stale' ? state.current : user;
  // What was typed stays in the fields after a refusal, a stale save included: nothing typed is lost.
  const values = state.status === 'error' || state.status === 'stale' ? state.values : undefined;
  /** After a stale save: what someone else saved in a field this person changed too. */
  const theirs = (field: 'name' | 'email' | 'role', label: (value: string) => string) => {
    const saved = state.status === 'stale' ? state.conflicts[field] : undefined;
    return saved === undefined ? undefined : `Saved meanwhile by someone else: ${label(saved)}`;
  };
  const fieldErrors = state.status === 'error' ? state.fieldErrors : undefined;
  const message = state.status === 'error' || state.status === 'stale' ? state.message : undefined;
  const prefix = `edit-${user.id}-`;

  useEffect(() => {
    if (state.status === 'saved') onDone?.();
  }, [state, onDone]);

  return (
    <div className="space-y-3">
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-amber-800 empty:hidden dark:text-amber-300" data-testid="also-editing">
        {alsoEditing && `${whoIs(alsoEditing)} also editing this user.`}
      </p>
      <form action={formAction} noValidate aria-label={`Edit ${user.name}`} className="space-y-3">
        <input type="hidden" name="id" value={user.id} />
        <input type="hidden" name="version" value={shown.version} />
        {returnTo && <input type="hidden" name="return" value={returnTo} />}
        {/* What the fields started from: a stale save keeps only what this person changed (lib/shared/merge-edit.ts). */}
        <input type="hidden" name="was-name" value={shown.name} />
        <input type="hidden" name="was-email" value={shown.email} />
        {manageAccess && <input type="hidden" name="was-role" value={shown.role} />}
        {/* Keyed on the version: a stale save renders the fields again, with what was typed and, under each, what changed meanwhile. */}
        <div key={shown.version} className="flex flex-col gap-3 sm:flex-row sm:items-start">
          <FormField name="name" label="Name" type="text" idPrefix={prefix} defaultValue={values?.name ?? shown.name} errors={fieldErrors?.name} note={theirs('name', (name) => `“${name}”`)} />
          <FormField name="email" label="Email" type="email" idPrefix={prefix} defaultValue={values?.email ?? shown.email} errors={fieldErrors?.email} note={theirs('email', (email) => email)} />
          {manageAccess && <RoleSelect id={`${prefix}role`} name="role" label="Role" value={asRole(values?.role ?? shown.role)} errors={fieldErrors?.role} note={theirs('role', (role) => ROLE_LABEL[asRole(role)])} />}
        </div>
        <div className="flex flex-wrap items-center gap-3">
          <PrimaryButton pending={pending}>Save</PrimaryButton>
          {onDone ? (
            <button type="button" onClick={onDone} className="rounded-md px-3 py-2 text-sm font-medium text-gray-700 hover:bg-gray-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:text-gray-200 dark:hover:bg-gray-700">
              Cancel
            </button>
          ) : (
            <a href={returnTo ?? '/'} className="rounded-md px-3 py-2 text-sm font-medium text-gray-700 hover:bg-gray-100 dark:text-gray-200 dark:hover:bg-gray-700">
              Cancel
            </a>
          )}
          <p role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
            {pending ? 'Saving…' : message}
          </p>
        </div>
      </form>
      {/* Beside the form, not in it: a form cannot hold another. Only people with a role can sign in. */}
      {manageAccess && shown.role !== 'none' && (
        <>
          <InviteButton userId={user.id} name={shown.name} />
          <EndSessionsButton userId={user.id} name={shown.name} />
        </>
      )}
    </div>
  );
}
