'use client';

import { useActionState } from 'react';
import { type InviteState, setPasswordFromInvite } from '@/app/invite/actions';
import { PrimaryButton } from '@/components/primary-button';

const IDLE: InviteState = {};

export function InviteForm({ token, email }: { token: string; email: string }) {
  const [state, formAction, pending] = useActionState(setPasswordFromInvite, IDLE);
  const message = state.gone ?? state.error;
  return (
    <form action={formAction} className="space-y-4 rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <input type="hidden" name="token" value={token} />
      {/* Names the account, so password managers file the new password under it. */}
      <input type="email" name="username" value={email} autoComplete="username" readOnly hidden />
      <div className="space-y-1">
        <label htmlFor="password" className="block text-sm font-medium text-gray-800 dark:text-gray-200">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          minLength={8}
          maxLength={128}
          autoComplete="new-password"
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? 'invite-error' : undefined}
          className="block w-full rounded-md border border-gray-300 bg-white px-3 py-2 text-sm text-gray-900 shadow-sm dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100 focus:border-blue-600 focus:outline-2 focus:outline-blue-600"
        />
      </div>
      <p id="invite-error" role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
      <PrimaryButton pending={pending} className="w-full">
        Set password and sign in
      </PrimaryButton>
    </form>
  );
}
