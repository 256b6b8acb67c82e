import { notFound, redirect } from 'next/navigation';
import { EditUserForm } from '@/components/edit-user-form';
import { LivePresence } from '@/components/live-presence';
import { hub } from '@/lib/server/events';
import { currentCaller } from '@/lib/server/auth';
import { NotFoundError } from '@/lib/server/errors';
import { getUser } from '@/lib/server/users';
import { localPath } from '@/lib/shared/local-path';
import { accessOf } from '@/lib/shared/roles';
import { userIdSchema } from '@/lib/shared/validation';

// The edit page: what the dashboard's "Edit" opens without JavaScript (with it, rows edit inline).
export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ return?: string | string[] }> };

export default async function EditUserPage({ params, searchParams }: Props) {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const access = accessOf(caller.role);
  if (!access.write) redirect('/');
  const id = userIdSchema.safeParse((await params).id);
  if (!id.success) notFound();
  const user = await getUser(id.data).catch((error: unknown) => {
    if (error instanceof NotFoundError) notFound();
    throw error;
  });
  return (
    <main className="mx-auto max-w-2xl space-y-6 px-4 py-10">
      <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Edit {user.name}</h1>
      <LivePresence lastEventId={hub.lastEventId} />
      <div className="rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
        <EditUserForm user={user} manageAccess={access.manage} me={caller.user?.id ?? null} returnTo={localPath([(await searchParams).return].flat()[0]) ?? '/'} />
      </div>
    </main>
  );
}
