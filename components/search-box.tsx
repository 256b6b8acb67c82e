'use client';

import { RoleSelect } from '@/components/role-select';
import type { View } from '@/lib/shared/directory/view';
import type { Role } from '@/lib/shared/roles';

/**
 * A GET form, so searching works without JavaScript. With it, results follow the typing:
 * `onSearch` waits for a pause, replaces the URL and fetches the new view, cancelling the search
 * before it (see useDirectory); so does a choice of role. The live stream stays open throughout.
 */
export type Filter = Partial<Pick<View, 'q' | 'role'>>;

export function SearchBox({ view, busy, onSearch }: { view: View; busy: boolean; onSearch: (filter: Filter, now?: boolean) => void }) {
  return (
    <form
      method="get"
      action="/"
      role="search"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const q = new FormData(event.currentTarget).get('q');
        onSearch({ q: typeof q === 'string' ? q : '' }, true);
      }}
    >
      {view.sort !== 'createdAt' && <input type="hidden" name="sort" value={view.sort} />}
      {view.order !== 'desc' && <input type="hidden" name="order" value={view.order} />}
      <label htmlFor="search" className="sr-only">
        Search
      </label>
      <input
        id="search"
        name="q"
        type="search"
        defaultValue={view.q}
        placeholder="Search by name or email"
        maxLength={100}
        onChange={(event) => onSearch({ q: event.currentTarget.value })}
        aria-busy={busy || undefined}
        className="block min-w-0 flex-1 rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
      />
      <RoleSelect id="role-filter" name="role" label="Filter by role" value={view.role} any="All roles" onChange={(role: Role | '') => onSearch({ role }, true)} />
      <button type="submit" className="rounded-md border border-gray-300 bg-white px-3 py-2 text-sm font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700">
        Search
      </button>
    </form>
  );
}
