'use client';

import type { Snapshot } from '@/lib/events/apply';
import { ConnectionStatus } from './connection-status';
import { useLiveUsers } from './use-live-users';
import { useRowTransitions } from './use-row-transitions';
import { UsersTable } from './users-table';

/** The user table, kept current by live events; seeded with the server-rendered list. */
export function LiveUsers({ initial }: { initial: Snapshot }) {
  const { users, connection } = useLiveUsers(initial);
  const rows = useRowTransitions(users);
  return (
    <section aria-labelledby="users-heading" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="users-heading" className="text-lg font-semibold text-gray-900">
          Users <span className="ml-1 rounded-full bg-gray-100 px-2 py-0.5 text-sm font-medium text-gray-600" data-testid="user-count">{users.length}</span>
          <span className="sr-only"> in total</span>
        </h2>
        <ConnectionStatus connection={connection} />
      </div>
      <UsersTable rows={rows} />
    </section>
  );
}
