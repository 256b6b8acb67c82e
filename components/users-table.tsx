import type { Row } from './use-row-transitions';
import { DeleteUserButton } from './delete-user-button';

const PHASE_CLASS: Record<Row['phase'], string> = {
  new: 'row-new',
  leaving: 'row-leaving',
  steady: '',
};

// UTC and a fixed format: the server and the browser must render the same text.
function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

export function UsersTable({ rows }: { rows: Row[] }) {
  return (
    <div className="overflow-hidden rounded-lg border border-gray-200 bg-white shadow-sm">
      <table className="w-full text-left text-sm">
        <thead className="bg-gray-50 text-xs uppercase tracking-wide text-gray-500">
          <tr>
            <th scope="col" className="px-4 py-3 font-medium">Name</th>
            <th scope="col" className="px-4 py-3 font-medium">Email</th>
            <th scope="col" className="hidden px-4 py-3 font-medium sm:table-cell">Created</th>
            <th scope="col" className="px-4 py-3"><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody className="divide-y divide-gray-100">
          {rows.length === 0 ? (
            <tr>
              <td colSpan={4} className="px-4 py-10 text-center text-gray-500">
                No users yet. Add the first one above.
              </td>
            </tr>
          ) : (
            rows.map(({ user, phase }) => (
              <tr
                key={user.id}
                data-user-id={user.id}
                aria-hidden={phase === 'leaving' || undefined}
                className={PHASE_CLASS[phase]}
              >
                <td className="px-4 py-3 font-medium text-gray-900">{user.name}</td>
                <td className="px-4 py-3 text-gray-700">{user.email}</td>
                <td className="hidden px-4 py-3 text-gray-500 sm:table-cell">
                  <time dateTime={user.createdAt}>{formatDate(user.createdAt)}</time>
                </td>
                <td className="px-4 py-2 text-right">
                  <DeleteUserButton id={user.id} name={user.name} disabled={phase === 'leaving'} />
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
