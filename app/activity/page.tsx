import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { ActivityFeed } from '@/components/activity-feed';
import { activityParamsSchema, listActivity } from '@/lib/server/activity';
import { currentCaller } from '@/lib/server/auth';
import { paramsRecord } from '@/lib/shared/directory/view';
import { JOB_PART } from '@/lib/shared/jobs';
import { canWrite } from '@/lib/shared/roles';

export const metadata: Metadata = { title: 'Activity · Roster' };

// Always read from the database: the first HTML already holds the newest changes.
export const dynamic = 'force-dynamic';

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function ActivityPage({ searchParams }: Props) {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const parsed = activityParamsSchema.safeParse(paramsRecord(await searchParams));
  // Parameters that make no sense are left out rather than answered with an error page.
  const params = parsed.success ? parsed.data : activityParamsSchema.parse({});
  const page = await listActivity(params);
  const filter = params.user ? { user: params.user } : params.job ? { job: params.job } : {};
  // A job's page names the job as its users' entries do ("in a bulk delete of users matching “test”").
  const job = filter.job ? page.entries.find((entry) => entry.kind !== 'imported')?.importedFrom : undefined;
  return (
    <main className="mx-auto max-w-4xl space-y-6 px-4 py-10">
      <header className="flex items-start justify-between gap-4">
        <div>
          <h1 className="text-2xl font-bold text-gray-900 dark:text-gray-100">Activity</h1>
          <p className="text-sm text-gray-600 dark:text-gray-300">
            {filter.user
              ? `Changes to user ${filter.user}, newest first.`
              : filter.job
                ? `Every user changed ${job ? `${JOB_PART[job.kind]} ${job.fileName}` : 'by one job'}, newest first.`
                : 'Every change to a user, newest first: when, who, and what.'}
          </p>
        </div>
        <nav className="flex gap-4 text-sm font-medium">
          {(filter.user || filter.job) && (
            <Link href="/activity" className="text-blue-700 underline dark:text-blue-300">
              All changes
            </Link>
          )}
          <Link href="/" className="text-blue-700 underline dark:text-blue-300">
            Back to users
          </Link>
        </nav>
      </header>
      {/* Keyed by the view, so a new filter or page starts from its own first HTML. */}
      <ActivityFeed
        key={`${filter.user ?? filter.job ?? ''}:${params.cursor ?? ''}`}
        initial={page}
        filter={filter}
        cursor={params.cursor ?? null}
        canRestore={canWrite(caller.role)}
      />
    </main>
  );
}
