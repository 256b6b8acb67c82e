'use client';

import { useFormStatus } from 'react-dom';
import { Spinner } from '@/components/spinner';
import { useDeletes } from '@/components/undo-delete';

/** A form, not an onClick, so deleting also works before JavaScript has loaded. Undo: components/undo-delete.tsx. */
export function DeleteUserButton({ id, name, disabled = false }: { id: number; name: string; disabled?: boolean }) {
  const { state, action } = useDeletes();
  return (
    <form action={action} className="inline-flex items-center gap-2">
      <input type="hidden" name="id" value={id} />
      {state.error && state.id === id && (
        <span role="alert" className="text-xs text-red-700 dark:text-red-400">
          {state.error}
        </span>
      )}
      <DeleteButton name={name} disabled={disabled} />
    </form>
  );
}

function DeleteButton({ name, disabled }: { name: string; disabled: boolean }) {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending || disabled} aria-label={`Delete ${name}`} className="row-action-delete">
      {pending && <Spinner />}
      {pending ? 'Deleting…' : 'Delete'}
    </button>
  );
}
