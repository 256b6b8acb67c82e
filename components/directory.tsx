'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { searchText } from '@/lib/shared/directory/keys';
import type { Total } from '@/lib/shared/directory/total';
import { type View, viewSearch } from '@/lib/shared/directory/view';
import type { PageDTO } from '@/lib/shared/dto';
import { ConnectionStatus } from '@/components/connection-status';
import { Pager } from '@/components/pager';
import { SearchBox } from '@/components/search-box';
import { useDirectory } from '@/lib/browser/use-directory';
import { useRowTransitions } from '@/lib/browser/use-row-transitions';
import { DeleteActions } from '@/components/undo-delete';
import { BulkDelete } from '@/components/bulk-delete';
import { useSelection } from '@/lib/browser/use-selection';
import { useBulkJob } from '@/lib/browser/use-bulk-job';
import { NO_SELECTION, pageState } from '@/lib/browser/selection';
import { BulkJobNotice } from '@/components/bulk-job-notice';
import { UsersTable } from '@/components/users-table';
import { type Access, ROLE_LABEL, type Role } from '@/lib/shared/roles';

const count = new Intl.NumberFormat('en-US');

/** The CSV download of a view (every user of it, all its pages), or of just the selected users of it. */
function exportHref(view: View, ids: readonly number[] = []): string {
  const params = new URLSearchParams(viewSearch(view));
  for (const id of ids) params.append('id', String(id));
  const search = params.toString();
  return `/api/users/export${search ? `?${search}` : ''}`;
}

/** "1,204 users", "3 users with the role Admin", "12 users match “ann”", or "10,000+ users match “a”". */
function totalText({ total, totalIsExact }: Total, q: string, role: Role | '', that = false): string {
  const one = total === 1 && totalIsExact;
  const users = `${count.format(total)}${totalIsExact ? '' : '+'} ${one ? 'user' : 'users'}${role ? ` with the role ${ROLE_LABEL[role]}` : ''}`;
  const search = searchText(q);
  // `that`: as the object of a sentence ("Select all 12 users that match “ann”").
  return search ? `${users} ${that ? 'that ' : ''}${one ? 'matches' : 'match'} “${search}”` : users;
}

/** The directory: one page of a view, live, seeded with the server-rendered page. */
export function Directory({ initial, view, cursor, access, me = null }: { initial: PageDTO; view: View; cursor: string | null; access: Access; me?: number | null }) {
  const router = useRouter();
  const [roleNote, setRoleNote] = useState('');
  // The signed-in person's own role changed (keeping access): the page renders again with what it
  // now allows, without a reload; the server has already forgotten the role it read before.
  const { state, status, search, searching } = useDirectory(initial, view, cursor, {
    me,
    changed: (role) => {
      setRoleNote(`An admin changed your role to ${ROLE_LABEL[role]}.`);
      router.refresh();
    },
  });
  const rows = useRowTransitions(state.users, `${viewSearch(state.view)}#${state.cursor ?? ''}`);
  const selected = useSelection(rows, viewSearch(state.view, state.cursor));
  const bulk = useBulkJob();
  const table = (
    <UsersTable
      selected={selected}
      rows={rows}
      view={state.view}
      cursor={state.cursor}
      access={access}
      me={me}
      empty={searchText(state.view.q) ? 'No users match this search.' : state.view.role ? 'No users have this role.' : state.cursor ? 'No users on this page.' : 'No users yet. Add the first one above.'}
    />
  );
  const section = (
    <section aria-labelledby="users-heading" className="space-y-3">
      {roleNote && (
        <p role="status" className="rounded-md border border-blue-200 bg-blue-50 px-4 py-2 text-sm text-blue-900 dark:border-blue-800 dark:bg-blue-950 dark:text-blue-100">
          {roleNote}
        </p>
      )}
      <SearchBox view={state.view} busy={searching} onSearch={search} />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="users-heading" className="text-lg font-semibold text-gray-900 dark:text-gray-100">
          Users{' '}
          <span className="ml-1 rounded-full bg-gray-100 px-2 py-0.5 text-sm font-medium text-gray-700 dark:bg-gray-700 dark:text-gray-200" data-testid="user-count">
            {totalText(state, state.view.q, state.view.role)}
          </span>
        </h2>
        <div className="flex flex-wrap items-center gap-3">
          {access.write && (
            <BulkDelete
              selected={selected.selection.ids.length}
              manage={access.manage}
              exportHref={selected.whole ? exportHref(state.view) : selected.selection.ids.length > 0 ? exportHref(state.view, selected.selection.ids) : null}
              whole={selected.whole && { total: totalText(state, state.view.q, state.view.role, true) }}
              onDeleteWhole={() => {
                if (!selected.whole) return;
                void bulk.deleteView(state.view, selected.whole.atEventId, selected.whole.total);
                selected.select(NO_SELECTION);
              }}
              onChangeRoleWhole={(to) => {
                if (!selected.whole) return;
                void bulk.changeRoleView(state.view, selected.whole.atEventId, selected.whole.total, to);
                selected.select(NO_SELECTION);
              }}
            />
          )}
          <ConnectionStatus status={status} />
          <Pager view={state.view} prevCursor={state.prevCursor} nextCursor={state.nextCursor} />
        </div>
      </div>
      {access.write && pageState(selected.selection, selected.page) === 'all' && state.total > selected.page.length && (
        <p role="status" className="text-sm text-gray-700 dark:text-gray-300">
          {selected.whole ? (
            <>
              All {totalText(state, state.view.q, state.view.role, true)} are selected.{' '}
              <button type="button" onClick={() => selected.select(NO_SELECTION)} className="font-medium text-blue-700 underline dark:text-blue-300">
                Clear selection
              </button>
            </>
          ) : (
            <>
              All {selected.page.length} users on this page are selected.{' '}
              <button
                type="button"
                onClick={() => selected.selectWhole({ atEventId: state.lastEventId, total: state.total })}
                className="font-medium text-blue-700 underline dark:text-blue-300"
              >
                Select all {totalText(state, state.view.q, state.view.role, true)}
              </button>
            </>
          )}
        </p>
      )}
      {state.newBefore > 0 && (
        <p role="status" className="text-sm text-gray-700 dark:text-gray-300">
          {count.format(state.newBefore)} new {state.newBefore === 1 ? 'user' : 'users'} before this page —{' '}
          <Link href={`/${viewSearch(state.view)}`} prefetch={false} className="font-medium text-blue-700 underline dark:text-blue-300">
            show
          </Link>
        </p>
      )}
      {table}
      {/* Under the table, so it never pushes the rows down on a phone. A plain download: the session
          cookie goes along, and the server streams every row of the view, not this page. */}
      <p className="text-right text-sm">
        <a href={exportHref(state.view)} download className="font-medium text-blue-700 underline dark:text-blue-300">
          Export CSV
        </a>{' '}
        <span className="text-gray-600 dark:text-gray-400">(every user of this view)</span>
      </p>
    </section>
  );
  // The rows' and the selection's deletes share one action, whose notice offers Undo; a whole view's
  // delete is a job with a notice of its own.
  return access.write ? (
    <DeleteActions>
      {section}
      <BulkJobNotice state={bulk.state} onUndo={() => void bulk.undo()} onCancel={() => void bulk.cancel()} />
    </DeleteActions>
  ) : (
    section
  );
}
