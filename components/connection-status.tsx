'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { LiveStatus } from '@/lib/browser/event-source';

/** How long a tab whose session ended says so before it goes to the sign-in page. */
export const SIGNED_OUT_NAVIGATE_MS = 4_000;
const subscribeNothing = () => () => undefined;

/** Connecting for longer than this is worth explaining. */
const SLOW_CONNECT_MS = 5_000;

const LABELS: Record<LiveStatus, { text: string; dot: string }> = {
  sse: { text: 'Connected (SSE)', dot: 'bg-green-500' },
  polling: { text: 'Connected (Polling)', dot: 'bg-yellow-400' },
  connecting: { text: 'Disconnected', dot: 'bg-red-500' },
  offline: { text: 'Disconnected', dot: 'bg-red-500' },
  'signed-out': { text: 'Disconnected', dot: 'bg-red-500' },
};

/**
 * Why the page is not live, in words: never a bare "Disconnected". Before the page's scripts run,
 * only the server's HTML speaks: it says "connecting", and if the scripts never start (blocked, or
 * a dev server refusing this host) CSS alone turns that into the reason after a few seconds.
 */
function Reason({ status, hydrated, slow }: { status: LiveStatus; hydrated: boolean; slow: boolean }) {
  if (status === 'signed-out') {
    return (
      <span>
        — your session ended.{' '}
        <a href="/login" className="font-medium text-blue-700 underline dark:text-blue-300">
          Sign in again
        </a>
      </span>
    );
  }
  if (status === 'offline') {
    const offline = typeof navigator !== 'undefined' && !navigator.onLine;
    return <span data-testid="connection-reason">{offline ? '— this device is offline; retrying when the network is back' : '— the server cannot be reached; retrying'}</span>;
  }
  if (status !== 'connecting') return null;
  if (!hydrated) {
    return (
      <span data-testid="connection-reason" className="connection-unhydrated">
        <span className="connection-waiting">— connecting…</span>
        <span className="connection-stuck">
          {' '}
          — this page&apos;s scripts did not start, so it cannot go live. Reload it; with <code>npm run dev</code>, open the address it printed, or add this host to ALLOWED_DEV_ORIGINS.
        </span>
      </span>
    );
  }
  return <span data-testid="connection-reason">{slow ? '— the live stream has not answered yet; retrying' : '— connecting…'}</span>;
}

export function ConnectionStatus({ status }: { status: LiveStatus }) {
  const { text, dot } = LABELS[status];
  const router = useRouter();
  // False in the server's HTML and while hydrating, true once this component runs in the browser.
  const hydrated = useSyncExternalStore(subscribeNothing, () => true, () => false);
  /** The status that has lasted SLOW_CONNECT_MS: "connecting" for that long is explained. */
  const [lasted, setLasted] = useState<LiveStatus | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setLasted(status), SLOW_CONNECT_MS);
    return () => clearTimeout(timer);
  }, [status]);
  const slow = status === 'connecting' && lasted === 'connecting';
  // Its session ended (signed out elsewhere, access taken, expired): nothing here works any more.
  useEffect(() => {
    if (status !== 'signed-out') return;
    const timer = setTimeout(() => router.push('/login?ended=1'), SIGNED_OUT_NAVIGATE_MS);
    return () => clearTimeout(timer);
  }, [status, router]);
  return (
    <p role="status" aria-live="polite" data-connection={status} className="flex flex-wrap items-center gap-x-2 text-sm text-gray-700 dark:text-gray-300">
      <span aria-hidden className={`inline-block size-2.5 rounded-full ${dot}`} />
      <span data-testid="connection-status">{text}</span>
      <Reason status={status} hydrated={hydrated} slow={slow} />
    </p>
  );
}
