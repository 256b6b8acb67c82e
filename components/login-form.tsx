'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '@/app/login/actions';
import { Spinner } from './spinner';

const IDLE: SignInState = {};

export function LoginForm() {
  const [state, formAction, pending] = useActionState(signIn, IDLE);
  return (
    <form action={formAction} className="space-y-4 rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
      {/* There is one account; naming it lets password managers file the password. */}
      <input type="text" name="username" value="admin" autoComplete="username" readOnly hidden />
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium text-gray-800">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoComplete="current-password"
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? 'password-error' : undefined}
          className="block w-full rounded-md border border-gray-300 px-3 py-2 text-sm shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600"
        />
      </div>
      <p id="password-error" role="status" aria-live="polite" className="min-h-5 text-sm text-red-700">
        {state.error}
      </p>
      <button
        type="submit"
        disabled={pending}
        className="inline-flex w-full items-center justify-center gap-2 rounded-md bg-blue-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 disabled:cursor-not-allowed disabled:opacity-60"
      >
        {pending && <Spinner />}
        Sign in
      </button>
    </form>
  );
}
