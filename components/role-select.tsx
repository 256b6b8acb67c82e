import { describedBy, FieldNotes } from '@/components/form-field';
import { ROLE_LABEL, ROLES, type Role } from '@/lib/shared/roles';

/** A labelled choice of role: the edit form's (admins only) and the directory's filter ('' = all). */
export function RoleSelect({
  id,
  name,
  label,
  value,
  any,
  errors,
  note,
  onChange,
}: {
  id: string;
  name: string;
  label: string;
  value: Role | '';
  /** The label of '' (every role), for a filter; none for a user's own role. */
  any?: string;
  errors?: string[];
  /** Said under the choice, e.g. what someone else saved meanwhile. */
  note?: string;
  onChange?: (role: Role | '') => void;
}) {
  return (
    <div className="min-w-0 space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-800 dark:text-gray-200">
        {label}
      </label>
      <select
        id={id}
        name={name}
        defaultValue={value}
        onChange={onChange && ((event) => onChange(event.currentTarget.value as Role | ''))}
        aria-invalid={errors ? true : undefined}
        aria-describedby={describedBy(id, note, errors)}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
      >
        {any && <option value="">{any}</option>}
        {[...ROLES].reverse().map((role) => (
          <option key={role} value={role}>
            {ROLE_LABEL[role]}
          </option>
        ))}
      </select>
      <FieldNotes id={id} note={note} errors={errors} />
    </div>
  );
}
