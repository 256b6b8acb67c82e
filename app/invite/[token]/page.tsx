import type { Metadata } from 'next';
import Link from 'next/link';
import { InviteForm } from '@/components/invite-form';
import { findInvite, INVITE_GONE } from '@/lib/server/auth/invites';

// The page an invite link opens: the invited person sets their password and lands signed in. A
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
            Welcome, {invite.user.name}. Choose a password for {invite.user.email}: 8 to 128 characters, any you like.
          </p>
        )}
      </header>
      {invite.status === 'open' ? (
        <InviteForm token={token} email={invite.user.email} />
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
