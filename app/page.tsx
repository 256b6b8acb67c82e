import { CreateUserForm } from '@/components/create-user-form';
import { LiveUsers } from '@/components/live-users';
import { hub } from '@/lib/events';
import { listUsers } from '@/lib/users';

// Always render from the database: the first HTML already holds the current rows.
export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  // Read the cursor before the rows, so the rows include every event up to it and the
  // client's stream picks up from there without a gap.
  const lastEventId = hub.lastEventId;
  const users = await listUsers();
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      <header>
        <h1 className="text-2xl font-bold text-gray-900">Roster</h1>
        <p className="text-sm text-gray-600">Users, live in every open browser.</p>
      </header>
      <CreateUserForm />
      <LiveUsers initial={{ users, lastEventId }} />
    </main>
  );
}
