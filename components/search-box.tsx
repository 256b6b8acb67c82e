'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useTransition } from 'react';
import { type View, viewSearch } from '@/lib/directory/view';

const DEBOUNCE_MS = 250;

/**
 * A GET form, so searching works without JavaScript. With it, results follow the typing: the URL
 * is replaced (no history entry per keystroke) once typing pauses, and a newer search supersedes
 * one still loading — the router drops the older render. The live stream stays open throughout.
 */
export function SearchBox({ view }: { view: View }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const search = (q: string) => {
    clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      startTransition(() => router.replace(`/${viewSearch({ ...view, q })}`, { scroll: false }));
    }, DEBOUNCE_MS);
  };

  return (
    <form method="get" action="/" role="search" className="flex gap-2" onSubmit={(event) => {
      event.preventDefault();
      clearTimeout(timer.current);
      const q = new FormData(event.currentTarget).get('q');
      startTransition(() => router.replace(`/${viewSearch({ ...view, q: typeof q === 'string' ? q : '' })}`, { scroll: false }));
    }}>
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
        onChange={(event) => search(event.currentTarget.value)}
        aria-busy={pending || undefined}
        className="block w-full min-w-0 rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
      />
      <button type="submit" className="rounded-md border border-gray-300 bg-white px-3 py-2 text-sm font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700">
        Search
      </button>
    </form>
  );
}
