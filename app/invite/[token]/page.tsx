import type { Metadata } from 'next';
import Link from 'next/link';
import { acceptInviteWithPasskey, invitePasskeyOptions } from '@/app/invite/actions';
import { InviteForm } from '@/components/invite-form';
import { PasskeyButton } from '@/components/passkey-button';
import { findInvite, INVITE_GONE } from '@/lib/server/auth/invites';

// The page an invite link opens: the invited person sets their password or registers a passkey,
// and lands signed in. A
// used, expired or unknown link says so.

export const metadata: Metadata = { title: 'Set your password · Roster' };
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ token: string }> };

export default async function InvitePage({ params }: Props) {
  const { token } = await params;
  const invite = await findInvite(token);
  return (
    <main className="mx-auto max-w-sm space-y-6 px-4 py-16">
      <header>
        <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Roster</h1>
        {invite.status === 'open' && (
          <p className="text-sm text-gray-600 dark:text-gray-300">
            Welcome, {invite.user.name}. Choose a password for {invite.user.email} (8 to 128 characters, any you like), or register a passkey.
          </p>
        )}
      </header>
      {invite.status === 'open' ? (
        <div className="space-y-4">
          <InviteForm token={token} email={invite.user.email} />
          <p className="text-center text-sm text-gray-600 dark:text-gray-300">or, instead of a password</p>
          <PasskeyButton id="invite-passkey" label="Register a passkey and sign in" arg={token} ceremony={{ kind: 'create', start: invitePasskeyOptions, finish: acceptInviteWithPasskey }} />
        </div>
      ) : (
        <div className="space-y-3">
          <p role="status" className="text-sm text-red-700 dark:text-red-400">
            {INVITE_GONE[invite.status]}
          </p>
          <Link href="/login" className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
            Sign in
          </Link>
        </div>
      )}
    </main>
  );
}
