import { ROLE_LABEL, type Role } from '@/lib/shared/roles';

const STYLE: Record<Role, string> = {
  admin: 'bg-purple-100 text-purple-900 dark:bg-purple-950 dark:text-purple-100',
  editor: 'bg-blue-100 text-blue-900 dark:bg-blue-950 dark:text-blue-100',
  viewer: 'bg-gray-100 text-gray-800 dark:bg-gray-700 dark:text-gray-100',
  none: 'text-gray-600 dark:text-gray-400',
};

/** A user's role in the table: a badge, or "No access" in plain text for a directory entry. */
export function RoleBadge({ role }: { role: Role }) {
  return <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${STYLE[role]}`}>{ROLE_LABEL[role]}</span>;
}
