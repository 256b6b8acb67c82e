'use client';

import { useEffect, useState } from 'react';
import { TOAST, UNDO_MS } from '@/components/undo-delete';
import type { BulkJobState } from '@/lib/browser/use-bulk-job';

const count = new Intl.NumberFormat('en-US');
const users = (n: number) => `${count.format(n)} ${n === 1 ? 'user' : 'users'}`;
const RUNNING = { deleting: 'Deleting', restoring: 'Restoring', changing: 'Changing the role of' } as const;

/**
 * A whole view's delete as it runs ("Deleting 12,345 users… 4,000 done", a bar, Cancel), then
 * "Deleted 12,345 users · Undo" for UNDO_MS (longer while the pointer or focus is on it), then what
 * the Undo did. A status region that is always there, so screen readers announce each step.
 */
export function BulkJobNotice({ state, onUndo, onCancel }: { state: BulkJobState; onUndo: () => void; onCancel: () => void }) {
  const [held, setHeld] = useState(false);
  const [expiredAt, setExpiredAt] = useState<number | null>(null);
  const at = state.phase === 'idle' ? null : state.at;
  useEffect(() => {
    if (at === null) return;
    const timer = setTimeout(() => setExpiredAt(at), UNDO_MS);
    return () => clearTimeout(timer);
  }, [at]);
  const settled = state.phase === 'deleted' || state.phase === 'restored' || state.phase === 'changed' || state.phase === 'failed';
  const visible = state.phase !== 'idle' && (!settled || expiredAt !== at || held);
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="bulk-job-notice"
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      className="pointer-events-none fixed inset-x-0 bottom-16 z-10 flex justify-center px-4 text-sm"
    >
      {visible && state.phase === 'failed' && <span className={TOAST}>Could not start: {state.message}</span>}
      {visible && (state.phase === 'deleting' || state.phase === 'restoring' || state.phase === 'changing') && (
        <span className={`${TOAST} flex flex-wrap items-center gap-2`}>
          <span>
            {RUNNING[state.phase]} {users(state.job.bytes)}… {count.format(state.job.bytesRead)} done
          </span>
          <progress max={Math.max(state.job.bytes, 1)} value={state.job.bytesRead} aria-label="Progress" className="w-24" />
          <button type="button" onClick={onCancel} className="font-medium text-blue-200 underline focus-visible:outline-2 focus-visible:outline-white">
            Cancel
          </button>
        </span>
      )}
      {visible && state.phase === 'deleted' && (
        <span className={`${TOAST} flex flex-wrap items-center gap-2`}>
          <span>
            Deleted {users(state.job.deleted)}
            {state.job.state === 'cancelled' ? ', then cancelled' : ''}
            {state.job.failed > 0 ? ` (${count.format(state.job.failed)} not: see the activity)` : ''}
          </span>
          {state.entryId !== null && state.job.deleted > 0 && (
            <>
              <span aria-hidden>·</span>
              <button type="button" onClick={onUndo} className="font-medium text-blue-200 underline focus-visible:outline-2 focus-visible:outline-white">
                Undo
              </button>
            </>
          )}
        </span>
      )}
      {visible && state.phase === 'changed' && (
        <span className={TOAST}>
          Changed the role of {users(state.job.updated)} ({state.job.fileName}){state.job.state === 'cancelled' ? ', then cancelled' : ''}.
          {state.job.failed > 0 && ` ${count.format(state.job.failed)} not changed (the activity has the report).`}
        </span>
      )}
      {visible && state.phase === 'restored' && (
        <span className={TOAST}>
          Restored {users(state.job.restored)}.{state.job.failed > 0 && ` ${count.format(state.job.failed)} could not come back (the activity has the report).`}
        </span>
      )}
    </div>
  );
}
