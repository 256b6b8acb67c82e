'use client';

import 'client-only';
import { useEffect, useRef, useState } from 'react';
import { IMPORT_PROGRESS_EVENT } from '@/lib/browser/use-directory';
import type { View } from '@/lib/shared/directory/view';
import { isFinished, type ImportProgress, type JobDTO } from '@/lib/shared/jobs';
import type { Role } from '@/lib/shared/roles';

// A whole view deleted from the dashboard ("Select all 12,345 users that match" → "Delete
// selected", or given a role: "Change role", POST /api/jobs/role), and a delete's Undo: POST /api/jobs/delete, then POST /api/jobs/restore with the id of the
// delete's activity entry, each a job followed by its progress on the stream (at most a frame a
// second), with GET /api/jobs/{id} every few seconds for a page that is polling.

export type BulkJobState =
  | { phase: 'idle' }
  /** `entryId`: the delete's activity entry (its last progress event), which its Undo restores. */
  | { phase: Running | Ended; job: JobDTO; entryId: number | null; at: number }
  | { phase: 'failed'; message: string; at: number };

const POLL_MS = 3_000;
const ENDED_KEPT = 20;

async function post(path: string, body: unknown): Promise<JobDTO> {
  const response = await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const answer = (await response.json().catch(() => ({}))) as { job?: JobDTO; error?: string; fieldErrors?: Record<string, string[]> };
  if (response.status !== 202 || !answer.job) throw new Error(Object.values(answer.fieldErrors ?? {})[0]?.[0] ?? answer.error ?? `The server answered ${response.status}`);
  return answer.job;
}

/** A job's phase while it runs, and once it ended. */
type Running = 'deleting' | 'restoring' | 'changing';
type Ended = 'deleted' | 'restored' | 'changed';
const ENDS: Record<Running, Ended> = { deleting: 'deleted', restoring: 'restored', changing: 'changed' };
const isRunning = (phase: Running | Ended): phase is Running => phase in ENDS;

/** The state with news of its job: running or ended, and (from its last event) the activity entry. */
function applied(now: BulkJobState, job: JobDTO, entryId: number | null): BulkJobState {
  if (now.phase === 'idle' || now.phase === 'failed' || now.job.id !== job.id) return now;
  const ended = isFinished(job.state);
  // A poll may lag behind the stream: an ended job stays ended.
  if (!isRunning(now.phase) && !ended) return now;
  const phase = isRunning(now.phase) && ended ? ENDS[now.phase] : now.phase;
  return { phase, job, entryId: entryId ?? now.entryId, at: phase === now.phase ? now.at : Date.now() };
}

export function useBulkJob() {
  const [state, setState] = useState<BulkJobState>({ phase: 'idle' });
  const running = state.phase !== 'idle' && state.phase !== 'failed' && isRunning(state.phase) ? state.job.id : null;
  // Jobs' last progress events seen on the stream (a few): a small job can end, and its last event
  // arrive, before the request that started it is answered.
  const ended = useRef(new Map<string, { job: JobDTO; eventId: number | null }>());

  // Progress on the stream, also after the job ended: its last event (which may come after a poll
  // saw it end) is the activity entry an Undo names.
  useEffect(() => {
    const onProgress = (event: Event) => {
      const progress = (event as CustomEvent<ImportProgress & { eventId?: number }>).detail;
      const entryId = isFinished(progress.job.state) ? (progress.eventId ?? null) : null;
      if (entryId !== null) {
        ended.current.set(progress.importId, { job: progress.job, eventId: entryId });
        if (ended.current.size > ENDED_KEPT) ended.current.delete(ended.current.keys().next().value ?? '');
      }
      setState((now) => applied(now, progress.job, entryId));
    };
    window.addEventListener(IMPORT_PROGRESS_EVENT, onProgress);
    return () => window.removeEventListener(IMPORT_PROGRESS_EVENT, onProgress);
  }, []);

  // A page that is polling gets no progress frames: the job is read every few seconds while it runs.
  useEffect(() => {
    if (!running) return;
    const poll = setInterval(() => {
      void fetch(`/api/jobs/${running}`)
        .then(async (response) => {
          if (!response.ok) return;
          const job = (await response.json()) as JobDTO;
          setState((now) => applied(now, job, null));
        })
        .catch(() => undefined);
    }, POLL_MS);
    return () => clearInterval(poll);
  }, [running]);

  const run = async (phase: Running, path: string, body: unknown) => {
    try {
      const job = await post(path, body);
      const end = ended.current.get(job.id);
      setState(applied({ phase, job, entryId: null, at: Date.now() }, end?.job ?? job, end?.eventId ?? null));
    } catch (error) {
      setState({ phase: 'failed', message: error instanceof Error ? error.message : String(error), at: Date.now() });
    }
  };

  return {
    state,
    /** Deletes the whole `view` as seen at `atEventId` (when it had `total` users). */
    deleteView: (view: Pick<View, 'q' | 'role'>, atEventId: number, total: number) => run('deleting', '/api/jobs/delete', { q: view.q, role: view.role, atEventId, total }),
    /** Gives the whole `view` as seen at `atEventId` the role `to` (admins). */
    changeRoleView: (view: Pick<View, 'q' | 'role'>, atEventId: number, total: number, to: Role) =>
      run('changing', '/api/jobs/role', { q: view.q, role: view.role, atEventId, total, to }),
    /** Undo: restores what the finished delete took. */
    undo: () => (state.phase === 'deleted' && state.entryId !== null ? run('restoring', '/api/jobs/restore', { eventId: state.entryId }) : Promise.resolve()),
    cancel: () => (running ? fetch(`/api/jobs/${running}/cancel`, { method: 'POST' }).then(() => undefined) : Promise.resolve()),
  };
}
