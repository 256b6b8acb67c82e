import type { InputHTMLAttributes } from 'react';

/**
 * A labelled field of the sign-in and invite forms (Email, Password). `errorId` names the form's one
 * message, which describes the field while there is one.
 */
export function CredentialField({
  label,
  errorId,
  ...input
}: { label: string; errorId?: string; name: 'email' | 'password' } & Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'className'>) {
  return (
    <div className="space-y-1">
      <label htmlFor={input.name} className="block text-sm font-medium text-gray-800 dark:text-gray-200">
        {label}
      </label>
      <input
        id={input.name}
        required
        {...input}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={errorId}
        className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 focus:border-blue-600 focus:outline-2 focus:outline-blue-600"
      />
    </div>
  );
}
