'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';
import type { LiveStatus } from '@/lib/browser/event-source';

/** How long a tab whose session ended says so before it goes to the sign-in page. */
export const SIGNED_OUT_NAVIGATE_MS = 4_000;

const LABELS: Record<LiveStatus, { text: string; dot: string }> = {
  sse: { text: 'Connected (SSE)', dot: 'bg-green-500' },
  polling: { text: 'Connected (Polling)', dot: 'bg-yellow-400' },
  connecting: { text: 'Disconnected', dot: 'bg-red-500' },
  offline: { text: 'Disconnected', dot: 'bg-red-500' },
  'signed-out': { text: 'Disconnected', dot: 'bg-red-500' },
};

export function ConnectionStatus({ status }: { status: LiveStatus }) {
  const { text, dot } = LABELS[status];
  const router = useRouter();
  // Its session ended (signed out elsewhere, access taken, expired): nothing here works any more.
  useEffect(() => {
    if (status !== 'signed-out') return;
    const timer = setTimeout(() => router.push('/login?ended=1'), SIGNED_OUT_NAVIGATE_MS);
    return () => clearTimeout(timer);
  }, [status, router]);
  return (
    <p role="status" aria-live="polite" data-connection={status} className="flex items-center gap-2 text-sm text-gray-700 dark:text-gray-300">
      <span aria-hidden className={`inline-block size-2.5 rounded-full ${dot}`} />
      <span data-testid="connection-status">{text}</span>
      {status === 'signed-out' && (
        <span>
          — your session ended.{' '}
          <a href="/login" className="font-medium text-blue-700 underline dark:text-blue-300">
            Sign in again
          </a>
        </span>
      )}
    </p>
  );
}
