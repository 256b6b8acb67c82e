import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { passkeySignInOptions, signInWithPasskey } from '@/app/login/actions';
import { LoginForm } from '@/components/login-form';
import { PasskeyButton } from '@/components/passkey-button';
import { authEnabled, currentCaller } from '@/lib/server/auth';

export const metadata: Metadata = { title: 'Sign in · Roster' };

// Whether sign-in is needed depends on the running server's environment, not the build's.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<{ ended?: string | string[] }> };

export default async function LoginPage({ searchParams }: Props) {
  if (!authEnabled() || (await currentCaller())) redirect('/');
  // A tab whose session ended comes here by itself (components/connection-status.tsx).
  const ended = (await searchParams).ended !== undefined;
  return (
    <main className="mx-auto max-w-sm space-y-6 px-4 py-16">
      <header>
        <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Roster</h1>
        <p className="text-sm text-gray-600 dark:text-gray-300">Sign in to manage users.</p>
        {ended && (
          <p role="status" className="mt-2 text-sm font-medium text-amber-800 dark:text-amber-200">
            Your session ended. Sign in again to go on.
          </p>
        )}
      </header>
      <LoginForm />
      <section aria-labelledby="passkey-heading" className="space-y-2">
        <h2 id="passkey-heading" className="sr-only">
          Passkey
        </h2>
        <PasskeyButton id="passkey-sign-in" label="Sign in with a passkey" ceremony={{ kind: 'get', start: passkeySignInOptions, finish: signInWithPasskey }} />
      </section>
    </main>
  );
}
