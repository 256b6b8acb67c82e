import { redirect } from 'next/navigation';
import { CreateUserForm } from '@/components/create-user-form';
import { LiveUsers } from '@/components/live-users';
import { SignOutButton } from '@/components/sign-out-button';
import { authEnabled, currentCaller } from '@/lib/auth';
import { listUsers } from '@/lib/users';

// Always render from the database: the first HTML already holds the current rows.
export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  if (!(await currentCaller())) redirect('/login');
  // The list carries its event cursor: the client's stream picks up from there without a gap.
  const snapshot = await listUsers();
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      {!authEnabled() && (
        <p role="note" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
          <strong>Authentication is off.</strong> Anyone who can reach this server can manage users. Set
          ADMIN_PASSWORD and SESSION_SECRET to require sign-in (production refuses to start without them).
        </p>
      )}
      <header className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900">Roster</h1>
          <p className="text-sm text-gray-600">Users, live in every open browser.</p>
        </div>
        {authEnabled() && <SignOutButton />}
      </header>
      <CreateUserForm />
      <LiveUsers initial={snapshot} />
    </main>
  );
}
