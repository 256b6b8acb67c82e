import Link from 'next/link';
import { redirect } from 'next/navigation';
import { CreateUserForm } from '@/components/create-user-form';
import { Directory } from '@/components/directory';
import { ImportCsv } from '@/components/import-csv';
import { PeopleHere } from '@/components/people-here';
import { SignOutButton } from '@/components/sign-out-button';
import { authEnabled, currentCaller } from '@/lib/server/auth';
import { decodeCursor } from '@/lib/shared/directory/cursor';
import { PAGE_SIZE, paramsRecord, type View, type ViewParams, viewParamsSchema } from '@/lib/shared/directory/view';
import { accessOf, ROLE_LABEL } from '@/lib/shared/roles';
import { env } from '@/lib/server/env';
import { currentImportOf } from '@/lib/server/jobs';
import { listUsers } from '@/lib/server/users';

// Always render from the database: the first HTML already holds the current page.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

/** The view in the URL; parameters that make no sense (a cursor of another sort, say) are left out. */
function viewParams(raw: Record<string, string>): ViewParams {
  const valid = Object.entries(raw).filter(([key, value]) => viewParamsSchema.safeParse({ [key]: value }).success);
  const params = { ...viewParamsSchema.parse(Object.fromEntries(valid)), limit: PAGE_SIZE };
  if (!params.cursor) return params;
  try {
    decodeCursor(params.cursor, params);
    return params;
  } catch {
    return { ...params, cursor: undefined };
  }
}

export default async function DashboardPage({ searchParams }: Props) {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const access = accessOf(caller.role);
  const params = viewParams(paramsRecord(await searchParams));
  // The page carries its event cursor: the client's stream picks up from there without a gap.
  // The person's import, running or just ended, so its progress bar is back after a reload.
  const [page, importJob] = await Promise.all([listUsers(params), access.write ? currentImportOf(caller.principal) : null]);
  const view: View = { q: params.q, role: params.role, sort: params.sort, order: params.order };
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      {!authEnabled() && (
        <p role="note" className="rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          <strong>Authentication is off.</strong> Anyone who can reach this server can manage users. Set
          ADMIN_EMAIL, ADMIN_PASSWORD and SESSION_SECRET to require sign-in (production refuses to start without them).
        </p>
      )}
      <header className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Roster</h1>
          <p className="text-sm text-gray-600 dark:text-gray-300">Users, live in every open browser.</p>
          <div className="mt-2">
            <PeopleHere me={caller.user?.id ?? null} />
          </div>
        </div>
        {/* Not prefetched: each is a dynamic render, and the router prefetched the four twice on every
            dashboard load (eight renders before anyone clicked, while the page opens its stream). */}
        <nav aria-label="Site" className="flex flex-wrap items-center justify-end gap-3">
          <Link href="/activity" prefetch={false} className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
            Activity
          </Link>
          {access.manage && (
            <Link href="/status" prefetch={false} className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
              Status
            </Link>
          )}
          {caller.user && (
            <>
              <span className="text-sm text-gray-700 dark:text-gray-300">
                Signed in as <strong data-testid="signed-in-as">{caller.user.name}</strong> ({ROLE_LABEL[caller.role]})
              </span>
              <Link href="/account" prefetch={false} className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
                Your account
              </Link>
              <Link href="/account/sessions" prefetch={false} className="text-sm font-medium text-blue-700 underline dark:text-blue-300">
                Your sessions
              </Link>
            </>
          )}
          {authEnabled() && <SignOutButton />}
        </nav>
      </header>
      {access.write && <CreateUserForm />}
      {/* The same component for every view, so its live stream stays open across them. */}
      <Directory initial={page} view={view} cursor={params.cursor ?? null} access={access} me={caller.user?.id ?? null} />
      {/* Under the table, beside "Export CSV": on a phone the first rows stay on the first screen. */}
      {access.write && <ImportCsv initialJob={importJob} roles={access.manage} limits={{ maxBytes: env.IMPORT_MAX_BYTES, maxRows: env.IMPORT_MAX_ROWS }} />}
    </main>
  );
}
