'use client';

import Link from 'next/link';
import { useActionState, useCallback, useEffect, useRef, useState } from 'react';
import { restoreAll, type RestoreAllState, restoreUser, type RestoreUserState } from '@/app/actions';
import useSWR from 'swr';
import type { ActivityDTO, ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { JOB_PART, type JobDTO } from '@/lib/shared/jobs';
import { asRole, ROLE_LABEL } from '@/lib/shared/roles';
import type { LiveStatus } from '@/lib/browser/event-source';
import { SignedOutError } from '@/lib/browser/fetch-page';
import { openSharedStream } from '@/lib/browser/shared-event-source';
import { ConnectionStatus } from '@/components/connection-status';

const POLL_MS = 5_000;

/** Which changes: every one, one user's, or one job's users. */
export type ActivityFilter = { user?: number; job?: string };

/** `canRestore`: the reader may write, so a delete's entry offers Restore (the server checks again). */
type Props = { initial: ActivityPageDTO; filter: ActivityFilter; cursor: number | null; canRestore: boolean };

async function fetchActivity(url: string): Promise<ActivityPageDTO> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (response.status === 401) throw new SignedOutError();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as ActivityPageDTO;
}

const query = ({ user, job }: ActivityFilter, cursor: number | string | null) => {
  const params = new URLSearchParams();
  if (user) params.set('user', String(user));
  else if (job) params.set('job', job);
  if (cursor) params.set('cursor', String(cursor));
  const search = params.toString();
  return search ? `?${search}` : '';
};

/**
 * The activity, live: the first page follows the shared stream (each change refetches the page,
 * which carries who made it); older pages stay as they were read. Polls while the stream is down.
 */
export function ActivityFeed({ initial, filter, cursor, canRestore }: Props) {
  const [page, setPage] = useState(initial);
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const [announcement, setAnnouncement] = useState('');
  const latest = useRef(page);
  useEffect(() => {
    latest.current = page;
  }, [page]);
  const url = `/api/activity${query(filter, cursor)}`;
  const live = cursor === null;

  const show = useCallback((next: ActivityPageDTO) => {
    const known = new Set(latest.current.entries.map((entry) => entry.id));
    const added = next.entries.filter((entry) => !known.has(entry.id)).length;
    if (added > 0) setAnnouncement(added === 1 ? '1 new change' : `${added} new changes`);
    setPage(next);
  }, []);

  const refetch = useCallback(() => {
    fetchActivity(url).then(show, (error: unknown) => {
      if (error instanceof SignedOutError) setStatus('signed-out');
    });
  }, [url, show]);

  useEffect(() => {
    if (!live) return;
    const stream = openSharedStream({
      lastEventId: () => latest.current.lastEventId,
      onEvent: refetch,
      onResync: refetch,
      onLeaderAt: (lastEventId) => {
        if (lastEventId > latest.current.lastEventId) refetch();
      },
      onStatus: (next) => {
        setStatus(next);
        if (next === 'signed-out') stream.close();
      },
    });
    return () => stream.close();
  }, [live, refetch]);

  useSWR<ActivityPageDTO>(live && status === 'polling' ? url : null, fetchActivity, { refreshInterval: POLL_MS, onSuccess: show });

  return (
    <section aria-labelledby="activity-heading" className="space-y-4">
      <div className="flex items-center justify-between gap-4">
        <h2 id="activity-heading" className="text-lg font-semibold text-gray-900 dark:text-gray-100">
          {live ? 'Newest changes' : 'Older changes'}
        </h2>
        {live && <ConnectionStatus status={status} />}
      </div>
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>
      {page.entries.length === 0 ? (
        <p className="text-sm text-gray-600 dark:text-gray-300">No changes on record{filter.user ? ' for this user' : filter.job ? ' for this job' : ''}.</p>
      ) : (
        <ol className="divide-y divide-gray-200 rounded-lg border border-gray-200 bg-white shadow-sm dark:divide-gray-700 dark:border-gray-700 dark:bg-gray-800">
          {page.entries.map((entry) => (
            <ActivityItem key={entry.id} entry={entry} canRestore={canRestore} />
          ))}
        </ol>
      )}
      <nav aria-label="Activity pages" className="flex justify-between text-sm font-medium">
        {cursor !== null ? (
          <Link href={`/activity${query(filter, null)}`} className="text-blue-700 underline dark:text-blue-300">
            Newest
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor && (
          <Link href={`/activity${query(filter, page.nextCursor)}`} className="text-blue-700 underline dark:text-blue-300">
            Older
          </Link>
        )}
      </nav>
    </section>
  );
}

/** Who made a change: a person's name (linked to their history), or what else acted. */
function Actor({ entry }: { entry: ActivityDTO }) {
  if (entry.actor) {
    return (
      <Link href={`/activity?user=${entry.actor.id}`} className="font-medium text-blue-700 underline dark:text-blue-300" title={`${entry.actor.name}'s history`}>
        {entry.actor.name}
      </Link>
    );
  }
  const token = /^token:(.+)$/.exec(entry.principal)?.[1];
  const label = token ? `API token “${token}”` : entry.principal === 'system' ? 'Roster' : entry.principal === 'open' ? 'Someone (sign-in off)' : `A former user (${entry.principal})`;
  return <span className="font-medium">{label}</span>;
}

const count = new Intl.NumberFormat('en-US');

const JOB_VERB: Record<JobDTO['kind'], string> = { import: 'imported', delete: 'deleted', role: 'changed the role of', restore: 'restored' };

/** "Ada Lovelace imported 48,210 users from staff.csv (312 failed)" or "… deleted 12,000 users (users matching “test”)", with the report. */
function ImportItem({ entry, canRestore }: { entry: Extract<ActivityDTO, { kind: 'imported' }>; canRestore: boolean }) {
  const { job } = entry;
  const verb = JOB_VERB[job.kind];
  const done = job.kind === 'delete' ? job.deleted : job.kind === 'restore' ? job.restored : job.created + job.updated;
  const past = job.kind === 'role' ? 'changed' : verb;
  const ended = job.state === 'cancelled' ? ` — cancelled, what was ${past} stays` : job.state === 'failed' ? ` — stopped: ${job.error ?? 'failed'}` : '';
  return (
    <li data-testid="activity-entry" className="space-y-1 px-4 py-3 text-sm">
      <p className="text-gray-900 dark:text-gray-100">
        <Actor entry={entry} /> {verb} {count.format(done)} {done === 1 ? 'user' : 'users'}
        {job.kind === 'import' ? ` from ${job.fileName}` : ` (${job.fileName})`}{' '}
        <span className="text-gray-600 dark:text-gray-300">
          {job.kind === 'import'
            ? `(${count.format(job.created)} new, ${count.format(job.updated)} updated, ${count.format(job.unchanged)} unchanged, ${count.format(job.failed)} failed)`
            : `(${count.format(job.failed)} not ${past})`}
          {ended}
        </span>
      </p>
      {done > 0 && (
        <p>
          <Link href={`/activity?job=${job.id}`} className="font-medium text-blue-700 underline dark:text-blue-300">
            See the {done === 1 ? 'user' : `${count.format(done)} users`}
          </Link>
        </p>
      )}
      {canRestore && job.kind === 'delete' && job.deleted > 0 && <RestoreAllButton eventId={entry.id} count={job.deleted} />}
      {job.failed > 0 && (
        <p>
          <a href={job.reportUrl} download className="font-medium text-blue-700 underline dark:text-blue-300">
            Download the report of {job.kind === 'import' ? 'failed rows' : `users not ${past}`}
          </a>
        </p>
      )}
      <p className="text-xs text-gray-500 dark:text-gray-400">
        <time dateTime={entry.at}>{formatUtc(entry.at)}</time>
      </p>
    </li>
  );
}

const formatUtc = (at: string) => `${new Date(at).toISOString().replace('T', ' ').slice(0, 19)} UTC`;

function ActivityItem({ entry, canRestore }: { entry: ActivityDTO; canRestore: boolean }) {
  if (entry.kind === 'imported') return <ImportItem entry={entry} canRestore={canRestore} />;
  const target = (
    <Link href={`/activity?user=${entry.user.id}`} className="font-medium text-blue-700 underline dark:text-blue-300" title="This user's history">
      {entry.user.name}
    </Link>
  );
  // A change of access alone reads as one sentence: "Ada Lovelace changed Grace Hopper's role: Viewer → Editor".
  const roleOnly = entry.changes.length === 1 && entry.changes[0]?.field === 'role' ? entry.changes[0] : null;
  return (
    <li data-testid="activity-entry" className="space-y-1 px-4 py-3 text-sm">
      <p className="text-gray-900 dark:text-gray-100">
        <Actor entry={entry} />{' '}
        {roleOnly ? (
          <>
            changed {target}’s role: {ROLE_LABEL[asRole(String(roleOnly.from))]} → {ROLE_LABEL[asRole(String(roleOnly.to))]}
          </>
        ) : entry.kind === 'sessions ended' ? (
          <>ended every session of {target}</>
        ) : (
          <>
            {entry.kind} {target}
          </>
        )}{' '}
        <span className="text-gray-600 dark:text-gray-300">&lt;{entry.user.email}&gt;</span>
        {entry.importedFrom && (
          <span className="text-gray-600 dark:text-gray-300">
            {` — ${JOB_PART[entry.importedFrom.kind]} `}
            <Link href={`/activity?job=${entry.importedFrom.jobId}`} className="underline" title="Every user of this job">
              {entry.importedFrom.fileName}
            </Link>
          </span>
        )}
      </p>
      {entry.changes.length > 0 && !roleOnly && (
        <ul className="text-gray-700 dark:text-gray-300">
          {entry.changes.map((change) => (
            <li key={change.field}>
              {change.field}: “{change.from}” → “{change.to}”
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-gray-500 dark:text-gray-400">
        <time dateTime={entry.at}>{formatUtc(entry.at)}</time>
      </p>
      {canRestore && entry.kind === 'deleted' && <RestoreButton user={entry.user} />}
    </li>
  );
}

const IDLE_RESTORE: RestoreUserState = {};

/** Brings a deleted user back (a form: it works without JavaScript); says who is back, or why not. */
function RestoreButton({ user }: { user: UserDTO }) {
  const [state, action, pending] = useActionState(restoreUser, IDLE_RESTORE);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="id" value={user.id} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`Restore ${user.name}`}
        className="rounded-md border border-gray-300 px-2 py-1 text-xs font-medium text-gray-900 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-700"
      >
        {pending ? 'Restoring…' : 'Restore'}
      </button>
      <span role="status" aria-live="polite" className={`text-xs ${state.error ? 'text-red-700 dark:text-red-400' : 'text-gray-700 dark:text-gray-300'}`}>
        {state.error ?? (state.restored ? `Restored ${state.restored.name}.` : '')}
      </span>
    </form>
  );
}

const IDLE_RESTORE_ALL: RestoreAllState = {};

/** Brings back every user a bulk delete took, as a job (a form: it works without JavaScript); its own entry follows when it ends. */
function RestoreAllButton({ eventId, count: deleted }: { eventId: number; count: number }) {
  const [state, action, pending] = useActionState(restoreAll, IDLE_RESTORE_ALL);
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="eventId" value={eventId} />
      <button
        type="submit"
        disabled={pending}
        className="rounded-md border border-gray-300 px-2 py-1 text-xs font-medium text-gray-900 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-700"
      >
        {pending ? 'Restoring…' : `Restore all ${count.format(deleted)}`}
      </button>
      <span role="status" aria-live="polite" className={`text-xs ${state.error ? 'text-red-700 dark:text-red-400' : 'text-gray-700 dark:text-gray-300'}`}>
        {state.error ?? (state.job ? `Restoring ${count.format(state.job.bytes)} users: the activity lists the restore when it ends.` : '')}
      </span>
    </form>
  );
}
