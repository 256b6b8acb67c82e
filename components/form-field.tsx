import type { UserField } from '@/lib/shared/validation';

/** The ids a field's note and errors have, for its `aria-describedby`. */
export function describedBy(id: string, note?: string, errors?: string[]): string | undefined {
  return [note && `${id}-note`, errors && `${id}-error`].filter(Boolean).join(' ') || undefined;
}

/** What is said under a field: a note (e.g. what someone else saved meanwhile), then its errors. */
export function FieldNotes({ id, note, errors }: { id: string; note?: string; errors?: string[] }) {
  return (
    <>
      {note && (
        <p id={`${id}-note`} className="text-sm text-amber-800 dark:text-amber-300">
          {note}
        </p>
      )}
      {errors && (
        <p id={`${id}-error`} className="text-sm text-red-700 dark:text-red-400">
          {errors.join(' ')}
        </p>
      )}
    </>
  );
}

/** A labelled input of a user form, with its errors announced next to it. */
export function FormField({
  name,
  label,
  type,
  idPrefix = '',
  defaultValue,
  errors,
  note,
}: {
  name: UserField;
  label: string;
  type: string;
  /** Keeps ids unique when two forms share a page (the create form and an inline edit). */
  idPrefix?: string;
  defaultValue?: string;
  errors?: string[];
  /** Said under the field, e.g. what someone else saved in it meanwhile. */
  note?: string;
}) {
  const id = `${idPrefix}${name}`;
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
        aria-describedby={describedBy(id, note, errors)}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 aria-invalid:border-red-500 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100"
      />
      <FieldNotes id={id} note={note} errors={errors} />
    </div>
  );
}
