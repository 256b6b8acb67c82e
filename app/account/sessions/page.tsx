import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { userAgent } from 'next/server';
import { endOneSession } from '@/app/login/actions';
import { RowFormButton } from '@/components/row-form-button';
import { SignOutButton } from '@/components/sign-out-button';
import { currentCaller } from '@/lib/server/auth';
import { listSessions } from '@/lib/server/auth/sessions';
import { formatTime } from '@/lib/shared/format';

// The sessions page: every browser the signed-in person is signed in with, where and when, and
// "Sign out" on any of them (its tabs, on every instance, are told at once).

export const metadata: Metadata = { title: 'Your sessions · Roster' };
export const dynamic = 'force-dynamic';

/** "Chrome 156 on Linux", from the User-Agent the session was made with. */
function browserOf(agent: string): string {
  if (!agent) return 'A browser (signed in before browsers were recorded)';
  const { browser, os } = userAgent({ headers: new Headers({ 'user-agent': agent }) });
  const name = browser.name ? `${browser.name}${browser.version ? ` ${browser.version.split('.')[0]}` : ''}` : 'Unknown browser';
  return os.name ? `${name} on ${os.name}` : name;
}

const CELL = 'px-4 py-3 align-top';

export default async function SessionsPage() {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  if (!caller.user) redirect('/');
  const sessions = await listSessions(caller.user.id);
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Your sessions</h1>
          <p className="text-sm text-gray-600 dark:text-gray-300">Every browser {caller.user.name} is signed in with. Signing one out closes its open tabs too.</p>
        </div>
        <nav aria-label="Site" className="flex flex-wrap items-center justify-end gap-3">
          <Link href="/" className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
            Back to users
          </Link>
          <SignOutButton />
        </nav>
      </header>
      <div className="overflow-x-auto rounded-lg border border-gray-200 bg-white shadow-sm dark:border-gray-700 dark:bg-gray-800">
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Signed-in sessions, most recently seen first</caption>
          <thead className="bg-gray-50 text-xs uppercase tracking-wide text-gray-600 dark:bg-gray-900 dark:text-gray-300">
            <tr>
              <th scope="col" className="px-4 py-3 font-medium">Browser</th>
              <th scope="col" className="px-4 py-3 font-medium">Address</th>
              <th scope="col" className="px-4 py-3 font-medium">Signed in</th>
              <th scope="col" className="px-4 py-3 font-medium">Last seen</th>
              <th scope="col" className="px-4 py-3"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className="divide-y divide-gray-100 text-gray-800 dark:divide-gray-700 dark:text-gray-200">
            {sessions.map((session) => {
              const current = session.id === caller.sessionId;
              const label = browserOf(session.userAgent);
              return (
                <tr key={session.id} data-session={current ? 'current' : 'other'}>
                  <td className={`${CELL} font-medium`}>
                    {label}
                    {current && <span className="ml-2 rounded-full bg-green-100 px-2 py-0.5 text-xs font-medium text-green-900 dark:bg-green-950 dark:text-green-100">This browser</span>}
                  </td>
                  <td className={`${CELL} break-all`}>{session.address || '—'}</td>
                  <td className={CELL}>
                    <time dateTime={session.createdAt.toISOString()}>{formatTime(session.createdAt)}</time>
                  </td>
                  <td className={CELL}>
                    <time dateTime={session.lastSeenAt.toISOString()}>{formatTime(session.lastSeenAt)}</time>
                  </td>
                  <td className={`${CELL} text-right`}>
                    <RowFormButton action={endOneSession} field="session" value={session.id} label={current ? 'Sign out this browser' : `Sign out ${label}, signed in ${formatTime(session.createdAt)}`}>
                      Sign out
                    </RowFormButton>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </main>
  );
}
