'use client';

import { useActionState } from 'react';
import { type InviteState, setPasswordFromInvite } from '@/app/invite/actions';
import { CredentialField } from '@/components/credential-field';
import { PASSWORD_MAX, PASSWORD_MIN } from '@/lib/shared/validation';
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
      <CredentialField label="Password" name="password" type="password" minLength={PASSWORD_MIN} maxLength={PASSWORD_MAX} autoComplete="new-password" errorId={message ? 'invite-error' : undefined} />
      <p id="invite-error" role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {message}
      </p>
      <PrimaryButton pending={pending} className="w-full">
        Set password and sign in
      </PrimaryButton>
    </form>
  );
}
