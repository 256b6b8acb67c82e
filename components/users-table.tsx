'use client';

import { useEffect, useRef, useState } from 'react';
import type { useSelection } from '@/lib/browser/use-selection';
import type { View } from '@/lib/shared/directory/view';
import type { UserDTO } from '@/lib/shared/dto';
import { formatTime } from '@/lib/shared/format';
import { viewSearch } from '@/lib/shared/directory/view';
import { BULK_DELETE_FORM } from '@/components/bulk-delete';
import { DeleteUserButton } from '@/components/delete-user-button';
import { EditUserForm } from '@/components/edit-user-form';
import { SortHeader } from '@/components/sort-header';
import { RoleBadge } from '@/components/role-badge';
import type { Row } from '@/lib/browser/use-row-transitions';
import { useOthersEditing } from '@/lib/browser/use-presence';
import { whoIs } from '@/lib/shared/presence';
import type { Access } from '@/lib/shared/roles';
import { pageState, selectPage, toggle } from '@/lib/browser/selection';
import { useRovingGrid } from '@/lib/browser/use-roving-grid';

const PHASE_CLASS: Record<Row['phase'], string> = {
  new: 'row-new',
  leaving: 'row-leaving',
  steady: '',
};

/** Name, email, role, created, actions (and the checkboxes): a row the editor replaces spans them all. */
const COLUMNS = 6;

/**
 * One page of users. On a phone each row stacks (name, email, role, actions) instead of clipping.
 * Write controls show only to those who may write (`access`); the server refuses the rest anyway.
 * "Edit" is a link to the edit page, which works without JavaScript; with it, the row edits inline
 * and the table keeps its place.
 */
export function UsersTable({
  rows,
  view,
  cursor,
  empty,
  access,
  me = null,
  selected,
}: {
  rows: Row[];
  view: View;
  cursor: string | null;
  empty: string;
  access: Access;
  me?: number | null;
  /** The checked rows (lib/browser/use-selection.ts); "Delete selected" is over the table, beside the pager. */
  selected: ReturnType<typeof useSelection>;
}) {
  // Who else has a row's editor open: "Ada is editing" on it, in every dashboard showing it.
  const othersEditing = useOthersEditing(me);
  // The user as it was when its editor opened: a live change meanwhile makes the save stale (412)
  // instead of quietly moving the form to the new version under what is being typed.
  const [editing, setEditing] = useState<UserDTO | null>(null);
  const here = `/${viewSearch(view, cursor)}`;
  const { selection, page, select } = selected;
  const checked = new Set(selection.ids);
  // With rows to select, the table is a grid with one tab stop: arrow keys move, Space selects.
  const grid = useRovingGrid(access.write);
  return (
    <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white shadow-sm dark:border-gray-700 dark:bg-gray-800">
      {access.write && (
        <p id="users-grid-keys" className="sr-only">
          Arrow keys move between users and their controls, Space selects, Shift+Space selects a range.
        </p>
      )}
      <table
        {...(access.write ? { ...grid, role: 'grid', 'aria-multiselectable': true, 'aria-describedby': 'users-grid-keys' } : {})}
        aria-label="Users"
        className="w-full text-left text-sm"
      >
        <thead className="bg-gray-50 text-xs uppercase tracking-wide text-gray-600 dark:bg-gray-900 dark:text-gray-300">
          <tr data-grid-row className="flex flex-wrap sm:table-row">
            {access.write && (
              <th scope="col" className="shrink-0 py-3 pr-1 pl-4 sm:w-0">
                <PageCheckbox state={pageState(selection, page)} onChange={(on) => select(selectPage(selection, page, on))} />
              </th>
            )}
            <SortHeader view={view} sort="name" label="Name" />
            <SortHeader view={view} sort="email" label="Email" />
            <th scope="col" className="px-4 py-3 font-medium">Role</th>
            <SortHeader view={view} sort="createdAt" label="Created" />
            {access.write && <th scope="col" className="hidden px-4 py-3 sm:table-cell"><span className="sr-only">Actions</span></th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100 dark:divide-gray-700">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={COLUMNS} className="px-4 py-10 text-center text-gray-600 dark:text-gray-300">
                {empty}
              </td>
            </tr>
          ) : (
            rows.map(({ user, phase }) =>
              editing?.id === user.id && phase !== 'leaving' ? (
                <tr key={user.id} data-user-id={user.id} className="block sm:table-row">
                  <td colSpan={COLUMNS} className="block px-4 py-3 sm:table-cell">
                    <EditUserForm user={editing} manageAccess={access.manage} onDone={() => setEditing(null)} me={me} />
                  </td>
                </tr>
              ) : (
                <tr
                  key={user.id}
                  data-user-id={user.id}
                  data-grid-row
                  aria-selected={access.write ? checked.has(user.id) : undefined}
                  aria-hidden={phase === 'leaving' || undefined}
                  className={`user-row relative ${PHASE_CLASS[phase]}`}
                >
                  {access.write && (
                    // On a phone, in the row's corner rather than on a line of its own.
                    <td className="absolute top-2 right-2 sm:static sm:w-0 sm:py-3 sm:pr-1 sm:pl-4">
                      <input
                        type="checkbox"
                        name="id"
                        value={user.id}
                        form={BULK_DELETE_FORM}
                        checked={checked.has(user.id)}
                        disabled={phase === 'leaving'}
                        // Shift-click (or shift-space) selects the range from the last row clicked.
                        onChange={(event) => select(toggle(selection, page, user.id, 'shiftKey' in event.nativeEvent && event.nativeEvent.shiftKey === true))}
                        aria-label={`Select ${user.name}`}
                        className="size-4 accent-blue-700"
                      />
                    </td>
                  )}
                  <td className={`user-cell font-medium break-words ${access.write ? 'pr-10 sm:pr-4' : ''}`} data-column="name">
                    {user.name}
                    {othersEditing.has(user.id) && (
                      <span className="ml-2 inline-block rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900 dark:text-amber-100" data-testid="editing-marker">
                        {whoIs(othersEditing.get(user.id) ?? [])} editing
                      </span>
                    )}
                  </td>
                  <td className="user-cell break-all text-gray-700 dark:text-gray-300" data-column="email">
                    {user.email}
                  </td>
                  <td className="user-cell" data-column="role">
                    <RoleBadge role={user.role} />
                  </td>
                  <td className="user-cell text-gray-600 dark:text-gray-400">
                    <time dateTime={user.createdAt}>{formatTime(user.createdAt)}</time>
                  </td>
                  {access.write && (
                  <td className="user-actions">
                    <a
                      href={`/users/${user.id}/edit?return=${encodeURIComponent(here)}`}
                      onClick={(event) => {
                        event.preventDefault();
                        setEditing(user);
                      }}
                      aria-label={`Edit ${user.name}`}
                      className="row-action-edit"
                    >
                      Edit
                    </a>
                    <DeleteUserButton id={user.id} name={user.name} disabled={phase === 'leaving'} />
                  </td>
                  )}
                </tr>
              ),
            )
          )}
        </tbody>
      </table>
    </div>
  );
}

/** "Select all users on this page": checked, unchecked, or mixed when some are. */
function PageCheckbox({ state, onChange }: { state: 'all' | 'some' | 'none'; onChange: (on: boolean) => void }) {
  const box = useRef<HTMLInputElement>(null);
  // `indeterminate` is a property, not an attribute: set it after each render.
  useEffect(() => {
    if (box.current) box.current.indeterminate = state === 'some';
  }, [state]);
  return <input ref={box} type="checkbox" checked={state === 'all'} onChange={() => onChange(state !== 'all')} aria-label="Select all users on this page" className="size-4 accent-blue-700" />;
}
