import Link from 'next/link';
import { type Sort, type View, viewSearch } from '@/lib/shared/directory/view';

/**
 * A column header that sorts by its column: a link (so it works without JavaScript) to the first
 * page of the view sorted by it — ascending, or the other way round if it is sorted already.
 */
export function SortHeader({ view, sort, label, className = '' }: { view: View; sort: Sort; label: string; className?: string }) {
  const active = view.sort === sort;
  const order = active ? (view.order === 'asc' ? 'desc' : 'asc') : sort === 'createdAt' ? 'desc' : 'asc';
  return (
    <th scope="col" aria-sort={active ? (view.order === 'asc' ? 'ascending' : 'descending') : 'none'} className={`px-4 py-3 font-medium ${className}`}>
      <Link
        href={`/${viewSearch({ ...view, sort, order })}`}
        scroll={false} prefetch={false}
        className="inline-flex items-center gap-1 rounded hover:text-gray-900 focus-visible:outline-2 focus-visible:outline-blue-700 dark:hover:text-white"
      >
        {label}
        <span aria-hidden>{active ? (view.order === 'asc' ? '▲' : '▼') : ''}</span>
        <span className="sr-only">, sort {order === 'asc' ? 'ascending' : 'descending'}</span>
      </Link>
    </th>
  );
}
