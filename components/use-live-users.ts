'use client';

import { useEffect, useRef, useState } from 'react';
import useSWR from 'swr';
import type { UserDTO } from '@/lib/dto';
import { applyEvent, applySnapshot, initialState, type LiveState, type Snapshot } from '@/lib/events/apply';
import type { ConnectedPayload, HubEvent } from '@/lib/events/types';

export type Connection = 'sse' | 'polling' | 'disconnected';

const USERS_URL = '/api/users';
const POLL_MS = 5_000;
const POLL_MAX_MS = 30_000;
const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

async function fetchSnapshot(url: string): Promise<Snapshot> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const users = (await response.json()) as UserDTO[];
  return { users, lastEventId: Number(response.headers.get('X-Last-Event-Id') ?? 0) };
}

/** Full jitter: a random delay up to the exponential bound, so clients do not reconnect in step. */
function backoff(attempt: number): number {
  const bound = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** attempt);
  return bound / 2 + Math.random() * (bound / 2);
}

/**
 * The live user list. Server-Sent Events keep it current; while the stream is down, SWR polls
 * the list instead (never both at once) and the stream is retried with backoff, and at once
 * when the window regains focus or the browser comes back online.
 */
export function useLiveUsers(initial: Snapshot): { users: UserDTO[]; connection: Connection } {
  const [state, setState] = useState<LiveState>(() => initialState(initial));
  const [mode, setMode] = useState<'connecting' | 'sse' | 'polling'>('connecting');
  const [pollOk, setPollOk] = useState(false);
  const cursor = useRef(initial.lastEventId);
  const polling = useRef(false);

  // A server re-render (after this browser's own action) brings a newer list: take it.
  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    setState((s) => applySnapshot(s, initial));
  }

  useEffect(() => {
    cursor.current = state.lastEventId;
  }, [state.lastEventId]);

  useEffect(() => {
    polling.current = mode === 'polling';
  }, [mode]);

  useSWR<Snapshot>(mode === 'polling' ? USERS_URL : null, fetchSnapshot, {
    fallbackData: initial,
    refreshInterval: POLL_MS,
    revalidateOnFocus: false,
    revalidateOnReconnect: false,
    dedupingInterval: 0,
    onSuccess: (snapshot) => {
      setPollOk(true);
      setState((s) => applySnapshot(s, snapshot));
    },
    onError: () => setPollOk(false),
    onErrorRetry: (_error, _key, _config, revalidate, { retryCount }) => {
      const delay = Math.min(POLL_MAX_MS, POLL_MS * 1.5 ** retryCount);
      setTimeout(() => {
        if (polling.current) void revalidate({ retryCount });
      }, delay);
    },
  });

  useEffect(() => {
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;

    const apply = (event: HubEvent) => setState((s) => applyEvent(s, event));
    const resync = () =>
      fetchSnapshot(USERS_URL).then(
        (snapshot) => setState((s) => applySnapshot(s, snapshot)),
        () => undefined, // the stream stays up; the next event or reconnect catches up
      );

    const connect = () => {
      clearTimeout(retry);
      source?.close();
      const es = new EventSource(`/events?lastEventId=${cursor.current}`);
      source = es;
      es.addEventListener('connected', (message: MessageEvent<string>) => {
        attempt = 0;
        setMode('sse');
        const { lastEventId } = JSON.parse(message.data) as ConnectedPayload;
        if (lastEventId !== cursor.current) void resync();
      });
      es.addEventListener('user_created', (message: MessageEvent<string>) =>
        apply({ type: 'user_created', user: JSON.parse(message.data) as UserDTO, eventId: Number(message.lastEventId) }),
      );
      es.addEventListener('user_deleted', (message: MessageEvent<string>) => {
        const { id } = JSON.parse(message.data) as { id: number };
        apply({ type: 'user_deleted', id, eventId: Number(message.lastEventId) });
      });
      es.onerror = () => {
        // Take reconnection over from the browser: poll meanwhile, retry with backoff.
        es.close();
        if (source === es) source = null;
        setMode('polling');
        retry = setTimeout(connect, backoff(attempt++));
      };
    };

    const reconnectNow = () => {
      if (source?.readyState === EventSource.OPEN) return;
      attempt = 0;
      connect();
    };

    connect();
    window.addEventListener('focus', reconnectNow);
    window.addEventListener('online', reconnectNow);
    return () => {
      clearTimeout(retry);
      source?.close();
      window.removeEventListener('focus', reconnectNow);
      window.removeEventListener('online', reconnectNow);
    };
  }, []);

  const connection: Connection = mode === 'sse' ? 'sse' : mode === 'polling' && pollOk ? 'polling' : 'disconnected';
  return { users: state.users, connection };
}
