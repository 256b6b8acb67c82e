import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { addPasskeyOptions, finishAddPasskey, removePasskeyAction } from '@/app/account/actions';
import { PasskeyButton } from '@/components/passkey-button';
import { RowFormButton } from '@/components/row-form-button';
import { SignOutButton } from '@/components/sign-out-button';
import { currentCaller } from '@/lib/server/auth';
import { findProfile } from '@/lib/server/auth/accounts';
import { listPasskeys, MAX_PASSKEYS } from '@/lib/server/auth/passkeys';
import { formatTime } from '@/lib/shared/format';
import { ROLE_LABEL } from '@/lib/shared/roles';

// The signed-in person's own account: who they are, their passkeys (add, remove), and a way to
// their sessions.

export const metadata: Metadata = { title: 'Your account · Roster' };
export const dynamic = 'force-dynamic';

const CELL = 'px-4 py-3 align-top';
const LINK = 'text-sm font-medium text-blue-700 underline dark:text-blue-300';

export default async function AccountPage() {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const profile = caller.user ? await findProfile(caller.user.id) : null;
  if (!profile) redirect('/');
  const passkeys = await listPasskeys(profile.id);
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Your account</h1>
          <p className="text-sm text-gray-600 dark:text-gray-300">
            {profile.name} · {profile.email} · {ROLE_LABEL[profile.role]}
          </p>
        </div>
        <nav aria-label="Site" className="flex flex-wrap items-center justify-end gap-3">
          <Link href="/" className={LINK}>
            Back to users
          </Link>
          <Link href="/account/sessions" className={LINK}>
            Your sessions
          </Link>
          <SignOutButton />
        </nav>
      </header>
      <section aria-labelledby="passkeys-heading" className="space-y-3">
        <h2 id="passkeys-heading" className="text-lg font-semibold text-gray-900 dark:text-gray-100">
          Passkeys
        </h2>
        <p className="text-sm text-gray-600 dark:text-gray-300">
          A passkey signs you in with your device&apos;s screen lock or a security key instead of your password. You can keep up to {MAX_PASSKEYS}.
        </p>
        {passkeys.length === 0 ? (
          <p className="text-sm text-gray-700 dark:text-gray-300">You have no passkeys yet.</p>
        ) : (
          <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white shadow-sm dark:border-gray-700 dark:bg-gray-800">
            <table className="w-full text-left text-sm">
              <caption className="sr-only">Your passkeys, oldest first</caption>
              <thead className="bg-gray-50 text-xs uppercase tracking-wide text-gray-600 dark:bg-gray-900 dark:text-gray-300">
                <tr>
                  <th scope="col" className="px-4 py-3 font-medium">Passkey</th>
                  <th scope="col" className="px-4 py-3 font-medium">Added</th>
                  <th scope="col" className="px-4 py-3 font-medium">Last used</th>
                  <th scope="col" className="px-4 py-3"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100 text-gray-800 dark:divide-gray-700 dark:text-gray-200">
                {passkeys.map((passkey, index) => {
                  const label = `Passkey ${index + 1} (${passkey.synced ? 'synced between your devices' : 'on one device'})`;
                  return (
                    <tr key={passkey.id} data-testid="passkey">
                      <td className={`${CELL} font-medium`}>{label}</td>
                      <td className={CELL}>
                        <time dateTime={passkey.createdAt.toISOString()}>{formatTime(passkey.createdAt)}</time>
                      </td>
                      <td className={CELL}>{passkey.lastUsedAt ? <time dateTime={passkey.lastUsedAt.toISOString()}>{formatTime(passkey.lastUsedAt)}</time> : 'Never'}</td>
                      <td className={`${CELL} text-right`}>
                        <RowFormButton action={removePasskeyAction} field="passkey" value={passkey.id} label={`Remove passkey ${index + 1}, added ${formatTime(passkey.createdAt)}`}>
                          Remove
                        </RowFormButton>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <div className="max-w-xs">
          <PasskeyButton id="add-passkey" label="Add a passkey" ceremony={{ kind: 'create', start: addPasskeyOptions, finish: finishAddPasskey }} />
        </div>
      </section>
    </main>
  );
}
