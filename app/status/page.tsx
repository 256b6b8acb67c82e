import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { StatusBoard } from '@/components/status-board';
import { currentCaller } from '@/lib/server/auth';
import { statusOfAll } from '@/lib/server/status';

export const metadata: Metadata = { title: 'Status · Roster' };

// Always now: the first HTML already holds every instance as it is.
export const dynamic = 'force-dynamic';

/** Each instance, live: what an operator checks first, from a phone if need be. Admins only. */
export default async function StatusPage() {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  if (caller.role !== 'admin') redirect('/');
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      <header className="flex flex-wrap items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Status</h1>
          <p className="text-sm text-gray-600 dark:text-gray-300">Every instance, updated every two seconds. Delivery is from a change&apos;s commit to its row on a screen, as the screens report it.</p>
        </div>
        <Link href="/" className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
          Back to users
        </Link>
      </header>
      <StatusBoard initial={statusOfAll()} />
    </main>
  );
}
