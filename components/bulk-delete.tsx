'use client';

import { useFormStatus } from 'react-dom';
import { Spinner } from '@/components/spinner';
import { useDeletes } from '@/components/undo-delete';

/** The form the rows' checkboxes belong to (their `form` attribute): the table's rows hold forms of their own. */
export const BULK_DELETE_FORM = 'bulk-delete';

/**
 * "3 selected · Delete selected": deletes the page's checked rows with the dashboard's delete action,
 * so its notice offers Undo for all of them. A plain form, so it works without JavaScript too (the
 * count then is not shown, and the server says when nothing was checked).
 */
export function BulkDelete({ selected }: { selected: number }) {
  const { state, action } = useDeletes();
  return (
    <form id={BULK_DELETE_FORM} action={action} className="flex flex-wrap items-center gap-2 text-sm">
      <span role="status" aria-live="polite" className="text-gray-700 dark:text-gray-300" data-testid="selected-count">
        {selected > 0 ? `${selected} selected` : ''}
      </span>
      <DeleteSelected />
      {state.error && state.id === undefined && (
        <span role="alert" className="text-red-700 dark:text-red-400">
          {state.error}
        </span>
      )}
    </form>
  );
}

function DeleteSelected() {
  const { pending } = useFormStatus();
  return (
    // Never disabled for want of a selection: without JavaScript nothing here knows what is checked, and
    // with it the server's "Select the users first" says what to do.
    <button type="submit" disabled={pending} className="row-action-delete">
      {pending && <Spinner />}
      {pending ? 'Deleting…' : 'Delete selected'}
    </button>
  );
}
