'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '@/app/login/actions';
import { PrimaryButton } from '@/components/primary-button';

const IDLE: SignInState = {};

export function LoginForm() {
  const [state, formAction, pending] = useActionState(signIn, IDLE);
  return (
    <form action={formAction} className="space-y-4 rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <div className="space-y-1">
        <label htmlFor="email" className="block text-sm font-medium text-gray-800 dark:text-gray-200">
          Email
        </label>
        <input
          id="email"
          name="email"
          type="email"
          required
          autoComplete="username"
          defaultValue={state.email}
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? 'sign-in-error' : undefined}
          className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 focus:border-blue-600 focus:outline-2 focus:outline-blue-600"
        />
      </div>
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium text-gray-800 dark:text-gray-200">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoComplete="current-password"
          aria-invalid={state.error ? true : undefined}
          aria-describedby={state.error ? 'sign-in-error' : undefined}
          className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 focus:border-blue-600 focus:outline-2 focus:outline-blue-600"
        />
      </div>
      <p id="sign-in-error" role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {state.error}
      </p>
      <PrimaryButton pending={pending} className="w-full">
        Sign in
      </PrimaryButton>
    </form>
  );
}
