'use client';

import { useFormStatus } from 'react-dom';
import { Spinner } from '@/components/spinner';
import { useDeletes } from '@/components/undo-delete';
import { type Role, ROLE_LABEL, ROLES } from '@/lib/shared/roles';

/** The form the rows' checkboxes belong to (their `form` attribute): the table's rows hold forms of their own. */
export const BULK_DELETE_FORM = 'bulk-delete';

/**
 * "3 selected · Delete selected" (and, for admins, a role and "Change role"): acts on the page's
 * checked rows with the dashboard's delete action, so a delete's notice offers Undo for all of
 * them. A plain form, so it works without JavaScript too (the count then is not shown, and the
 * server says when nothing was checked). "Export selected" downloads just those rows.
 */
export function BulkDelete({
  selected,
  manage,
  exportHref,
  whole,
  onDeleteWhole,
  onChangeRoleWhole,
}: {
  selected: number;
  manage: boolean;
  exportHref: string | null;
  /** The whole view is selected ("all 12,345"): Delete sends it as a job instead of the page's rows. */
  whole: { total: string } | null;
  onDeleteWhole: () => void;
  onChangeRoleWhole: (to: Role) => void;
}) {
  const { state, action } = useDeletes();
  return (
    <form
      id={BULK_DELETE_FORM}
      action={action}
      onSubmit={(event) => {
        // A prevented submit is not sent to the action (React): the whole view goes as a job.
        if (!whole) return;
        event.preventDefault();
        const intent = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value');
        const to = new FormData(event.currentTarget).get('to');
        if (intent === 'role' && ROLES.some((role) => role === to)) onChangeRoleWhole(to as Role);
        else if (intent !== 'role') onDeleteWhole();
      }}
      className="flex flex-wrap items-center gap-2 text-sm"
    >
      <span role="status" aria-live="polite" className="text-gray-700 dark:text-gray-300" data-testid="selected-count">
        {whole ? `All ${whole.total} selected` : selected > 0 ? `${selected} selected` : ''}
      </span>
      <Submit intent="delete" idle="Delete selected" busy="Deleting…" className="row-action-delete" />
      {manage && (
        <>
          <label htmlFor="selection-role" className="sr-only">
            Role for the selected users
          </label>
          <select
            id="selection-role"
            name="to"
            defaultValue="viewer"
            className="rounded-md border border-gray-300 bg-white px-2 py-1 text-sm text-gray-900 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
          >
            {ROLES.map((role) => (
              <option key={role} value={role}>
                {ROLE_LABEL[role]}
              </option>
            ))}
          </select>
          <Submit intent="role" idle="Change role" busy="Changing…" className="row-action-edit" />
        </>
      )}
      {exportHref && (
        <a href={exportHref} download className="font-medium text-blue-700 underline dark:text-blue-300">
          Export selected
        </a>
      )}
      <span role="status" aria-live="polite" className="text-gray-700 dark:text-gray-300" data-testid="selection-done">
        {state.changed && !state.error && `Made ${state.changed.name} ${ROLE_LABEL[state.changed.role]}.`}
      </span>
      {state.error && state.id === undefined && (
        <span role="alert" className="text-red-700 dark:text-red-400">
          {state.error}
        </span>
      )}
    </form>
  );
}

/** One of the form's buttons; it says it is busy when the submission under way is its own. */
function Submit({ intent, idle, busy, className }: { intent: 'delete' | 'role'; idle: string; busy: string; className: string }) {
  const { pending, data } = useFormStatus();
  const mine = pending && (data?.get('intent') ?? 'delete') === intent;
  return (
    // Never disabled for want of a selection: without JavaScript nothing here knows what is checked, and
    // with it the server's "Select the users first" says what to do.
    <button type="submit" name="intent" value={intent} disabled={pending} className={className}>
      {mine && <Spinner />}
      {mine ? busy : idle}
    </button>
  );
}
