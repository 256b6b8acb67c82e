'use client';

import { useActionState } from 'react';
import { endSessions, type EndSessionsState } from '@/app/actions';

const IDLE: EndSessionsState = {};

/** "End sessions": signs a person out of every browser, on every instance (admins only). */
export function EndSessionsButton({ userId, name }: { userId: number; name: string }) {
  const [state, formAction, pending] = useActionState(endSessions, IDLE);
  const status = pending
    ? 'Ending sessions…'
    : (state.error ?? (state.ended === undefined ? '' : state.ended === 0 ? `${name} was not signed in anywhere.` : `Ended ${state.ended} ${state.ended === 1 ? 'session' : 'sessions'} of ${name}.`));
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="id" value={userId} />
      <button
        type="submit"
        disabled={pending}
        aria-label={`End sessions of ${name}`}
        className="rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700"
      >
        End sessions
      </button>
      <p role="status" aria-live="polite" className={`min-h-5 text-sm ${state.error ? 'text-red-700 dark:text-red-400' : 'text-gray-700 dark:text-gray-300'}`}>
        {status}
      </p>
    </form>
  );
}
