'use client';

import { useActionState } from 'react';
import { deleteUser, type DeleteUserState } from '@/app/actions';
import { Spinner } from '@/components/spinner';

const IDLE: DeleteUserState = {};

/** A form, not an onClick, so deleting also works before JavaScript has loaded. */
export function DeleteUserButton({ id, name, disabled = false }: { id: number; name: string; disabled?: boolean }) {
  const [state, formAction, pending] = useActionState(deleteUser, IDLE);
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      {state.error && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-400">
          {state.error}
        </span>
      )}
      <button
        type="submit"
        disabled={pending || disabled}
        aria-label={`Delete ${name}`}
        className="row-action-delete"
      >
        {pending && <Spinner />}
        {pending ? 'Deleting…' : 'Delete'}
      </button>
    </form>
  );
}
