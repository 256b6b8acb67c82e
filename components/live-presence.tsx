'use client';

import { useEffect } from 'react';
import { setTransport, startPresence } from '@/lib/browser/presence';
import { openSharedStream } from '@/lib/browser/shared-event-source';

/**
 * Presence for a page without the directory (the edit page): this tab is here, and hears who
 * else is, from the browser's one stream (whose user events it has no table to apply).
 */
export function LivePresence({ lastEventId }: { lastEventId: number }) {
  useEffect(() => {
    let seen = lastEventId;
    const stop = startPresence();
    const stream = openSharedStream({
      lastEventId: () => seen,
      onEvent: (event) => {
        seen = event.eventId;
      },
      onResync: () => undefined,
      onLeaderAt: () => undefined,
      onStatus: (status) => setTransport(status === 'sse' ? 'sse' : 'polling'),
    });
    return () => {
      stream.close();
      stop();
    };
  }, [lastEventId]);
  return null;
}
