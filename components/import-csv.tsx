'use client';

import { useEffect, useRef, useState } from 'react';
import useSWR from 'swr';
import { PrimaryButton } from '@/components/primary-button';
import { IMPORT_PROGRESS_EVENT } from '@/lib/browser/use-directory';
import { type ImportLimits, type ImportProgress, isFinished, type JobDTO, secondsLeft } from '@/lib/shared/jobs';

const count = new Intl.NumberFormat('en-US');
const megabytes = (bytes: number) => count.format(Math.floor(bytes / (1024 * 1024)));
/** While the stream is down, the job is read this often instead. */
const POLL_MS = 5_000;

type ErrorBody = { error?: string; fieldErrors?: Record<string, string[] | undefined> };

/** The first thing an error answer says to fix. */
function errorText(status: number, body: ErrorBody): string {
  const field = Object.values(body.fieldErrors ?? {}).find((messages) => messages?.length)?.[0];
  return field ?? body.error ?? `The import was refused (${status})`;
}

async function readJob(url: string): Promise<JobDTO> {
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as JobDTO;
}

function timeLeftText(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 60) return ` · about ${Math.max(1, seconds)} s left`;
  return ` · about ${Math.ceil(seconds / 60)} min left`;
}

/**
 * "Import CSV": uploads a file to POST /api/users/import and follows its job live — its progress
 * comes over the page's stream (use-directory re-sends it as a window event) — with the counts,
 * the time left and Cancel. After a reload the dashboard hands the person's current import back in.
 */
export function ImportCsv({ initialJob, roles, limits }: { initialJob: JobDTO | null; roles: boolean; limits: ImportLimits }) {
  const [job, setJob] = useState<JobDTO | null>(initialJob);
  const [error, setError] = useState('');
  const [pending, setPending] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const file = useRef<HTMLInputElement>(null);
  const running = job !== null && !isFinished(job.state);

  useEffect(() => {
    const onProgress = (event: Event) => {
      const progress = (event as CustomEvent<ImportProgress>).detail;
      setJob((current) => (current?.id === progress.importId ? progress.job : current));
      setNow(Date.now());
    };
    window.addEventListener(IMPORT_PROGRESS_EVENT, onProgress);
    return () => window.removeEventListener(IMPORT_PROGRESS_EVENT, onProgress);
  }, []);

  // A fallback while frames do not come (the stream down, a long batch): the job as it stands.
  useSWR<JobDTO>(running ? `/api/jobs/${job.id}` : null, readJob, {
    refreshInterval: POLL_MS,
    onSuccess: (next) => {
      setJob((current) => (current && current.id === next.id && current.read <= next.read ? next : current));
      setNow(Date.now());
    },
  });

  async function upload(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const chosen = file.current?.files?.[0];
    if (!chosen) {
      setError('Choose a CSV file to import');
      return;
    }
    if (chosen.size > limits.maxBytes) {
      setError(`The file is larger than ${megabytes(limits.maxBytes)} MB`);
      return;
    }
    setPending(true);
    setError('');
    try {
      const response = await fetch(`/api/users/import?fileName=${encodeURIComponent(chosen.name)}`, { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: chosen });
      const body = (await response.json().catch(() => ({}))) as ErrorBody & { job?: JobDTO };
      if (response.status === 202 && body.job) {
        setJob(body.job);
        setNow(Date.now());
        if (file.current) file.current.value = '';
      } else setError(errorText(response.status, body));
    } catch {
      setError('The file could not be sent: check the connection and try again');
    } finally {
      setPending(false);
    }
  }

  async function cancel() {
    if (!job) return;
    const response = await fetch(`/api/jobs/${job.id}/cancel`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    if (response.ok) setJob((await response.json()) as JobDTO);
    else setError('The import could not be cancelled: try again');
  }

  return (
    // Folded until needed (the table stays where it was); open while an import is shown.
    <details open={job !== null || undefined} className="space-y-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <summary className="cursor-pointer text-base font-semibold text-gray-900 dark:text-gray-100">Import CSV</summary>
      <form onSubmit={upload} noValidate className="flex flex-col gap-3 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor="import-file" className="block text-sm font-medium text-gray-700 dark:text-gray-200">
            CSV file
          </label>
          <input
            ref={file}
            id="import-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby="import-help"
            className="mt-1 block w-full text-sm text-gray-900 file:mr-3 file:rounded-md file:border-0 file:bg-gray-100 file:px-3 file:py-2 file:text-sm file:font-medium dark:text-gray-100 dark:file:bg-gray-700 dark:file:text-gray-100"
          />
        </div>
        <PrimaryButton pending={pending}>Upload and import</PrimaryButton>
      </form>
      <p id="import-help" className="text-xs text-gray-600 dark:text-gray-300">
        A header row naming the columns name, email{roles ? ' and (optionally) role' : ''}; comma or semicolon, UTF-8. Users are matched by email: new ones are added, changed ones
        updated, so importing a file again changes nothing. Up to {megabytes(limits.maxBytes)} MB and {count.format(limits.maxRows)} rows.
      </p>
      {error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
      {job && <ImportProgressView job={job} now={now} onCancel={cancel} />}
    </details>
  );
}

function ImportProgressView({ job, now, onCancel }: { job: JobDTO; now: number; onCancel: () => void }) {
  const finished = isFinished(job.state);
  const percent = job.bytes > 0 ? Math.min(100, Math.round((job.bytesRead / job.bytes) * 100)) : 0;
  const counts = `${count.format(job.read)} rows read: ${count.format(job.created)} new, ${count.format(job.updated)} updated, ${count.format(job.unchanged)} unchanged, ${count.format(job.failed)} failed`;
  const heading =
    job.state === 'queued'
      ? `Waiting to import ${job.fileName}`
      : job.state === 'running'
        ? `Importing ${job.fileName} — ${percent}%${timeLeftText(secondsLeft(job, now))}`
        : job.state === 'done'
          ? `Imported ${job.fileName}`
          : job.state === 'cancelled'
            ? `Import of ${job.fileName} cancelled — what was imported stays`
            : `Import of ${job.fileName} stopped`;
  return (
    <div data-testid="import-progress" className="space-y-2">
      {/* Announced as it changes; not a status role, which the page's own status lines keep. */}
      <p aria-live="polite" data-testid="import-status" className="text-sm font-medium text-gray-900 dark:text-gray-100">
        {heading}
      </p>
      <progress value={finished ? job.bytes : job.bytesRead} max={Math.max(1, job.bytes)} aria-label={`Import of ${job.fileName}`} className="h-2 w-full" />
      <p data-testid="import-counts" className="text-sm text-gray-700 dark:text-gray-300">
        {counts}
      </p>
      {job.error && <p className="text-sm text-amber-800 dark:text-amber-300">{job.error}</p>}
      <div className="flex flex-wrap gap-3 text-sm">
        {!finished && (
          <button type="button" onClick={onCancel} className="rounded-md border border-gray-300 px-3 py-1.5 font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:text-gray-100 dark:hover:bg-gray-700">
            Cancel import
          </button>
        )}
        {(job.failed > 0 || job.error) && (
          <a href={job.reportUrl} download className="font-medium text-blue-700 underline dark:text-blue-300">
            Download the report{job.failed > 0 ? ` (${count.format(job.failed)} failed ${job.failed === 1 ? 'row' : 'rows'})` : ''}
          </a>
        )}
      </div>
    </div>
  );
}
