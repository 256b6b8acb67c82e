'use client';

import { useActionState, useState } from 'react';
import { inviteUser, type InviteLinkState } from '@/app/actions';

const IDLE: InviteLinkState = {};
/** The rest of the status line, by what became of the link's e-mail. */
const SENT = {
  sent: 'ready, and e-mailed to them.',
  failed: 'ready, but the e-mail could not be sent (the server log says why): copy it and send it to them.',
  off: 'ready: copy it and send it to them.',
} as const;
const BUTTON = 'rounded-md border border-gray-300 bg-white px-3 py-1.5 text-sm font-medium text-gray-800 hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-blue-700 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700';

/**
 * "Invite": makes a one-time link (7 days) for this person to set their password, shown to copy and
 * send them. A newer link ends the one before.
 */
export function InviteButton({ userId, name }: { userId: number; name: string }) {
  const [state, formAction, pending] = useActionState(inviteUser, IDLE);
  const [copied, setCopied] = useState<string | null>(null);
  const linkId = `invite-${userId}-link`;
  const status = pending ? 'Making a link…' : (state.error ?? (copied === state.url && state.url ? 'Copied.' : state.url ? `Invite link for ${name} ${SENT[state.email ?? 'off']}` : ''));
  return (
    <form action={formAction} className="space-y-2 border-t border-gray-200 pt-3 dark:border-gray-700">
      <input type="hidden" name="id" value={userId} />
      <div className="flex flex-wrap items-center gap-2">
        <button type="submit" className={BUTTON} disabled={pending}>
          {state.url ? 'New invite link' : 'Invite'}
        </button>
        {state.url && (
          <>
            <label htmlFor={linkId} className="sr-only">
              Invite link for {name}
            </label>
            <input id={linkId} readOnly value={state.url} onFocus={(event) => event.currentTarget.select()} className="min-w-0 flex-1 rounded-md border border-gray-300 bg-gray-50 px-2 py-1.5 font-mono text-xs text-gray-900 dark:border-gray-600 dark:bg-gray-900 dark:text-gray-100" />
            <button
              type="button"
              className={BUTTON}
              onClick={() => {
                if (state.url) void navigator.clipboard?.writeText(state.url).then(() => setCopied(state.url ?? null));
              }}
            >
              Copy
            </button>
          </>
        )}
      </div>
      {state.expiresAt && <p className="text-xs text-gray-600 dark:text-gray-400">Works once, until {state.expiresAt.slice(0, 16).replace('T', ' ')} UTC.</p>}
      <p role="status" aria-live="polite" className={`min-h-5 text-sm ${state.error ? 'text-red-700 dark:text-red-400' : 'text-gray-700 dark:text-gray-300'}`}>
        {status}
      </p>
    </form>
  );
}
