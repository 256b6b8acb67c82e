import type { UserField } from '@/lib/shared/validation';

/** A labelled input of a user form, with its errors announced next to it. */
export function FormField({
  name,
  label,
  type,
  idPrefix = '',
  defaultValue,
  errors,
}: {
  name: UserField;
  label: string;
  type: string;
  /** Keeps ids unique when two forms share a page (the create form and an inline edit). */
  idPrefix?: string;
  defaultValue?: string;
  errors?: string[];
}) {
  const id = `${idPrefix}${name}`;
  const errorId = `${id}-error`;
  return (
    <div className="min-w-0 flex-1 space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-gray-800 dark:text-gray-200">
        {label}
      </label>
      <input
        id={id}
        name={name}
        type={type}
        autoComplete="off"
        defaultValue={defaultValue}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? errorId : undefined}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
      />
      {errors && (
        <p id={errorId} className="text-sm text-red-700 dark:text-red-400">
          {errors.join(' ')}
        </p>
      )}
    </div>
  );
}
