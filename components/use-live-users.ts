'use client';

import { useEffect, useRef, useState } from 'react';
import useSWR from 'swr';
import type { UserDTO } from '@/lib/dto';
import { applyEvent, applySnapshot, initialState, type LiveState, type Snapshot } from '@/lib/events/apply';
import type { StreamStatus } from '@/lib/live/event-stream';
import { openSharedStream } from '@/lib/live/shared-stream';
import { fetchSnapshot, SignedOutError, USERS_URL } from '@/lib/live/snapshot';

export type Connection = 'sse' | 'polling' | 'disconnected' | 'signed-out';

const POLL_MS = 5_000;
const POLL_MAX_MS = 30_000;

/**
 * The live user list. Server-Sent Events keep it current (one stream per browser, shared by its
 * tabs); while the stream is down, SWR polls the list instead — never both at once, and not in
 * hidden tabs — and the stream is retried with backoff, at once on focus or when back online.
 */
export function useLiveUsers(initial: Snapshot): { users: UserDTO[]; connection: Connection } {
  const [state, setState] = useState<LiveState>(() => initialState(initial));
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [pollOk, setPollOk] = useState(false);
  const latest = useRef(state);
  const polling = useRef(false);

  // A server re-render (after this browser's own action) brings a newer list: take it.
  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    setState((s) => applySnapshot(s, initial));
  }

  useEffect(() => {
    latest.current = state;
    polling.current = status === 'polling';
  });

  useSWR<Snapshot>(status === 'polling' ? USERS_URL : null, fetchSnapshot, {
    fallbackData: initial,
    refreshInterval: POLL_MS,
    revalidateOnReconnect: false,
    dedupingInterval: 0,
    onSuccess: (snapshot) => {
      setPollOk(true);
      setState((s) => applySnapshot(s, snapshot));
    },
    onError: (error) => {
      setPollOk(false);
      if (error instanceof SignedOutError) setStatus('signed-out');
    },
    onErrorRetry: (_error, _key, _config, revalidate, { retryCount }) => {
      const delay = Math.min(POLL_MAX_MS, POLL_MS * 1.5 ** retryCount);
      setTimeout(() => {
        if (polling.current) void revalidate({ retryCount });
      }, delay);
    },
  });

  useEffect(() => {
    const onSnapshot = (snapshot: Snapshot) => setState((s) => applySnapshot(s, snapshot));
    const live = openSharedStream({
      cursor: () => latest.current.lastEventId,
      snapshot: () => ({ users: latest.current.users, lastEventId: latest.current.lastEventId }),
      onEvent: (event) => setState((s) => applyEvent(s, event)),
      onSnapshot,
      // The stream stays up if this fails; the next resync or poll catches up.
      onResync: () => void fetchSnapshot().then(onSnapshot, () => undefined),
      onStatus: (next) => {
        setStatus(next);
        if (next === 'signed-out') live.close();
      },
    });
    window.addEventListener('focus', live.reconnectNow);
    window.addEventListener('online', live.reconnectNow);
    return () => {
      window.removeEventListener('focus', live.reconnectNow);
      window.removeEventListener('online', live.reconnectNow);
      live.close();
    };
  }, []);

  const connection: Connection =
    status === 'sse' || status === 'signed-out' ? status : status === 'polling' && pollOk ? 'polling' : 'disconnected';
  return { users: state.users, connection };
}
