'use client';

import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import useSWR from 'swr';
import type { View } from '@/lib/directory/view';
import type { PageDTO } from '@/lib/dto';
import { type DirectoryState, directoryReducer, initialDirectory } from '@/lib/live/directory-state';
import type { LiveStatus } from '@/lib/live/event-stream';
import { fetchPage, pageUrl, SignedOutError } from '@/lib/live/fetch-page';
import { openSharedStream } from '@/lib/live/shared-stream';

const POLL_MS = 5_000;
const POLL_MAX_MS = 30_000;

/**
 * The visible page of the directory, kept live. Server-Sent Events drive the reducer (one stream
 * per browser, shared by its tabs, open across changes of view); while the stream is down, SWR
 * polls this page instead — never both at once — and the stream is retried with backoff, at once
 * on focus or when back online. The server render of each view (a navigation, or this browser's
 * own action) comes in as `initial`.
 */
export function useDirectory(initial: PageDTO, view: View, cursor: string | null): { state: DirectoryState; status: LiveStatus } {
  const [state, dispatch] = useReducer(directoryReducer, undefined, () => initialDirectory(initial, view, cursor));
  const [stream, setStream] = useState<LiveStatus>('connecting');
  const [pollOk, setPollOk] = useState(false);
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  });

  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    dispatch({ type: 'page', page: initial, view, cursor });
  }

  const url = pageUrl(state.view, state.cursor);
  const refetch = useCallback((signal?: AbortSignal) => {
    const { view: shown, cursor: at } = latest.current;
    fetchPage(pageUrl(shown, at), signal).then(
      (page) => dispatch({ type: 'page', page, view: shown, cursor: at }),
      () => undefined, // the stream stays up; the next resync or poll catches up
    );
  }, []);

  useSWR<PageDTO>(stream === 'polling' ? url : null, fetchPage, {
    refreshInterval: POLL_MS,
    revalidateOnReconnect: false,
    dedupingInterval: 0,
    onSuccess: (page) => {
      setPollOk(true);
      dispatch({ type: 'page', page, view: latest.current.view, cursor: latest.current.cursor });
    },
    onError: (error) => {
      setPollOk(false);
      if (error instanceof SignedOutError) setStream('signed-out');
    },
    onErrorRetry: (_error, _key, _config, revalidate, { retryCount }) => {
      setTimeout(() => void revalidate({ retryCount }), Math.min(POLL_MAX_MS, POLL_MS * 1.5 ** retryCount));
    },
  });

  // A visible row left a full page: one request for the page as it is now.
  useEffect(() => {
    if (!state.refill) return;
    const abort = new AbortController();
    refetch(abort.signal);
    return () => abort.abort();
  }, [state.refill, refetch]);

  useEffect(() => {
    const live = openSharedStream({
      cursor: () => latest.current.lastEventId,
      onEvent: (event) => dispatch({ type: 'event', event }),
      onResync: () => refetch(),
      onLeaderAt: (lastEventId) => {
        if (lastEventId > latest.current.lastEventId) refetch();
      },
      onStatus: (next) => {
        setStream(next);
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
  }, [refetch]);

  return { state, status: stream === 'polling' && !pollOk ? 'offline' : stream };
}
