'use client';

import useSWR from 'swr';
import type { InstanceStatus, StatusDTO } from '@/lib/shared/status';

const REFRESH_MS = 2_000;

const ms = (seconds: number | null) => (seconds === null ? '—' : `${Math.round(seconds * 1_000)} ms`);

function uptime(seconds: number): string {
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  return days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min ${seconds % 60} s`;
}

const REDIS: Record<InstanceStatus['redis'], string> = { none: 'not used (one instance)', up: 'connected', down: 'unreachable: instances poll the log' };

async function fetchStatus(url: string): Promise<StatusDTO> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`The status could not be read (${response.status}).`);
  return (await response.json()) as StatusDTO;
}

/** One card per instance, a definition list each: one column on a phone, two on a wide screen. */
export function StatusBoard({ initial }: { initial: StatusDTO }) {
  // No deduping: SWR's default (2 s) swallowed the first refresh after the request on mount, so the
  // page's first update came after 4 s, not 2.
  const { data = initial, error } = useSWR('/api/status', fetchStatus, { refreshInterval: REFRESH_MS, dedupingInterval: 0, fallbackData: initial });
  return (
    <section aria-labelledby="instances-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="instances-heading" className="text-lg font-semibold text-gray-900 dark:text-gray-100">
          {data.instances.length} {data.instances.length === 1 ? 'instance' : 'instances'}
        </h2>
        <p role="status" aria-live="polite" className="text-sm text-gray-700 dark:text-gray-300" data-testid="people-here">
          {error ? (error as Error).message : `${data.people} ${data.people === 1 ? 'person' : 'people'} here now`}
        </p>
      </div>
      <ul className="grid gap-3 sm:grid-cols-2">
        {data.instances.map((instance) => (
          <li key={instance.id} className="rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800" data-testid="instance">
            <h3 className="font-mono text-sm font-semibold break-all text-gray-900 dark:text-gray-100">{instance.id}</h3>
            <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm text-gray-800 dark:text-gray-200">
              <dt className="text-gray-600 dark:text-gray-400">Up for</dt>
              <dd>{uptime(instance.uptimeSeconds)}</dd>
              <dt className="text-gray-600 dark:text-gray-400">Streams</dt>
              <dd data-testid="streams">{instance.streams}</dd>
              <dt className="text-gray-600 dark:text-gray-400">Pages live / polling</dt>
              <dd data-testid="dashboards">
                {instance.dashboards.sse} / {instance.dashboards.polling}
              </dd>
              <dt className="text-gray-600 dark:text-gray-400">Events per second</dt>
              <dd data-testid="events-per-second">{instance.eventsPerSecond}</dd>
              <dt className="text-gray-600 dark:text-gray-400">Delivery p50 / p99 (5 min)</dt>
              <dd data-testid="delivery">
                {ms(instance.delivery.p50)} / {ms(instance.delivery.p99)} <span className="text-gray-600 dark:text-gray-400">({instance.delivery.samples} samples)</span>
              </dd>
              <dt className="text-gray-600 dark:text-gray-400">Redis</dt>
              <dd>{REDIS[instance.redis]}</dd>
              <dt className="text-gray-600 dark:text-gray-400">Last event</dt>
              <dd data-testid="last-event-id">{instance.lastEventId}</dd>
            </dl>
          </li>
        ))}
      </ul>
    </section>
  );
}
