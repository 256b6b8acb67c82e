import Link from 'next/link';
import { type View, viewSearch } from '@/lib/shared/directory/view';

const LINK = 'rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700';
const DISABLED = 'rounded-md border border-gray-200 px-3 py-1.5 text-sm text-gray-400 dark:border-gray-700 dark:text-gray-500';

/** Previous / Next links between the keyset pages of a view. */
export function Pager({ view, prevCursor, nextCursor }: { view: View; prevCursor: string | null; nextCursor: string | null }) {
  return (
    <nav aria-label="Pages" className="flex items-center justify-end gap-2">
      {prevCursor ? (
        <Link href={`/${viewSearch(view, prevCursor)}`} scroll={false} prefetch={false} rel="prev" className={LINK}>
          Previous
        </Link>
      ) : (
        <span aria-disabled="true" className={DISABLED}>Previous</span>
      )}
      {nextCursor ? (
        <Link href={`/${viewSearch(view, nextCursor)}`} scroll={false} prefetch={false} rel="next" className={LINK}>
          Next
        </Link>
      ) : (
        <span aria-disabled="true" className={DISABLED}>Next</span>
      )}
    </nav>
  );
}
