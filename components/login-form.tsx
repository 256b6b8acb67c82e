'use client';

import { useActionState } from 'react';
import { signIn, type SignInState } from '@/app/login/actions';
import { CredentialField } from '@/components/credential-field';
import { PrimaryButton } from '@/components/primary-button';

const IDLE: SignInState = {};

export function LoginForm() {
  const [state, formAction, pending] = useActionState(signIn, IDLE);
  const errorId = state.error ? 'sign-in-error' : undefined;
  return (
    <form action={formAction} className="space-y-4 rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <CredentialField label="Email" name="email" type="email" autoComplete="username" defaultValue={state.email} errorId={errorId} />
      <CredentialField label="Password" name="password" type="password" autoComplete="current-password" errorId={errorId} />
      <p id="sign-in-error" role="status" aria-live="polite" className="min-h-5 text-sm text-red-700 dark:text-red-400">
        {state.error}
      </p>
      <PrimaryButton pending={pending} className="w-full">
        Sign in
      </PrimaryButton>
    </form>
  );
}
