'use client';

import 'client-only';
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState } from 'react';
import useSWR from 'swr';
import { type View, viewSearch } from '@/lib/shared/directory/view';
import type { PageDTO } from '@/lib/shared/dto';
import type { ImportProgress } from '@/lib/shared/jobs';
import type { Role } from '@/lib/shared/roles';
import { type DirectoryState, directoryReducer, initialDirectory } from './directory-state';
import type { LiveStatus, LiveStream } from './event-source';
import { fetchPage, pageUrl, SignedOutError } from './fetch-page';
import { appliedNow, noteApplied, setTransport, startPresence } from './presence';
import { openSharedStream } from './shared-event-source';

const POLL_MS = 5_000;

/** The window event that carries an import's progress from the stream to the page's import panel. */
export const IMPORT_PROGRESS_EVENT = 'roster:import-progress';
const POLL_MAX_MS = 30_000;
const RECHECK_MS = 1_000;
const IMPORT_REFRESH_MS = 1_000;
const SEARCH_DEBOUNCE_MS = 250;

/**
 * The visible page of the directory, kept live. Server-Sent Events drive the reducer (one stream
 * per browser, shared by its tabs, open across changes of view); while the stream is down, SWR
 * polls this page instead — never both at once — and the stream is retried with backoff, at once
 * on focus or when back online. The server render of each view (a navigation, or this browser's
 * own action) comes in as `initial`.
 */
export function useDirectory(
  initial: PageDTO,
  view: View,
  cursor: string | null,
  /** Called when an event changes the signed-in person's own role (their id: `me`). */
  onOwnRole?: { me: number | null; changed: (role: Role) => void },
): { state: DirectoryState; status: LiveStatus; search: (filter: Partial<Pick<View, 'q' | 'role'>>, now?: boolean) => void; searching: boolean } {
  const [state, dispatch] = useReducer(directoryReducer, undefined, () => initialDirectory(initial, view, cursor));
  const [stream, setStream] = useState<LiveStatus>('connecting');
  const [pollOk, setPollOk] = useState(false);
  const latest = useRef(state);
  const live = useRef<LiveStream | null>(null);
  const ownRole = useRef(onOwnRole);
  useEffect(() => {
    latest.current = state;
    ownRole.current = onOwnRole;
  });

  const [rendered, setRendered] = useState(initial);
  if (rendered !== initial) {
    setRendered(initial);
    dispatch({ type: 'page', page: initial, view, cursor });
  }

  const url = pageUrl(state.view, state.cursor);
  // A later page that has become the view's first (every row before it went, and the reducer keeps
  // it live as the first page) drops its cursor from the address too: a reload shows what is on screen.
  useEffect(() => {
    if (state.cursor === null && new URLSearchParams(window.location.search).has('cursor')) window.history.replaceState(null, '', `/${viewSearch(state.view)}`);
  }, [state.cursor, state.view]);
  /** Fetches a page of a view into the reducer; a failure (or a cancel) leaves the state as it is. */
  const load = useCallback(
    (shown: View, at: string | null, signal?: AbortSignal): Promise<void> =>
      fetchPage(pageUrl(shown, at), signal).then(
        (page) => dispatch({ type: 'page', page, view: shown, cursor: at }),
        () => undefined, // the stream stays up; the next resync, poll or search catches up
      ),
    [],
  );
  const refetch = useCallback((signal?: AbortSignal) => void load(latest.current.view, latest.current.cursor, signal), [load]);

  // Search as you type (and filter by role): once typing pauses, the URL is replaced (no history entry, no server render:
  // Next.js's router follows history.replaceState) and the first page of the new view fetched, the
  // previous search's request cancelled so a slow answer can never overwrite a newer one.
  const [searching, setSearching] = useState(false);
  const pendingSearch = useRef<{ timer?: ReturnType<typeof setTimeout>; abort?: AbortController }>({});
  const search = useCallback((filter: Partial<Pick<View, 'q' | 'role'>>, now = false) => {
    const pending = pendingSearch.current;
    clearTimeout(pending.timer);
    pending.timer = setTimeout(
      () => {
        pending.abort?.abort();
        const abort = new AbortController();
        pending.abort = abort;
        const next = { ...latest.current.view, ...filter };
        window.history.replaceState(null, '', `/${viewSearch(next)}`);
        setSearching(true);
        void load(next, null, abort.signal).finally(() => {
          if (pending.abort === abort) setSearching(false);
        });
      },
      now ? 0 : SEARCH_DEBOUNCE_MS,
    );
  }, [load]);
  useEffect(() => {
    const pending = pendingSearch.current;
    return () => {
      clearTimeout(pending.timer);
      pending.abort?.abort();
    };
  }, []);

  useSWR<PageDTO>(stream === 'polling' ? url : null, fetchPage, {
    refreshInterval: POLL_MS,
    revalidateOnReconnect: false,
    dedupingInterval: 0,
    onSuccess: (page) => {
      setPollOk(true);
      // Polling brings the changes up to the page's event at once: how long the newest took is measured.
      if (page.lastEventId > latest.current.lastEventId) noteApplied(page.lastEventId);
      dispatch({ type: 'page', page, view: latest.current.view, cursor: latest.current.cursor });
    },
    onError: (error) => {
      setPollOk(false);
      if (error instanceof SignedOutError) {
        setStream('signed-out');
        live.current?.close();
      }
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

  // An import changed users (its rows are not on the stream): the page as it is now, at most once a
  // second whatever the frames (two imports at once), and never cancelling one already asked for.
  // Each dashboard waits a random part of that second first, so the dashboards watching an import
  // do not all ask the server in the same millisecond after every frame.
  const importFetched = useRef(0);
  useEffect(() => {
    if (!state.imported) return;
    const throttle = importFetched.current + IMPORT_REFRESH_MS - Date.now();
    const timer = setTimeout(
      () => {
        importFetched.current = Date.now();
        refetch();
      },
      Math.max(throttle, Math.random() * IMPORT_REFRESH_MS),
    );
    return () => clearTimeout(timer);
  }, [state.imported, refetch]);

  // A page brought forward over events it may already hold: read it again once they are published.
  useEffect(() => {
    if (!state.recheck) return;
    const abort = new AbortController();
    const timer = setTimeout(() => refetch(abort.signal), RECHECK_MS);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [state.recheck, refetch]);

  useEffect(() => {
    const stream = openSharedStream({
      lastEventId: () => latest.current.lastEventId,
      onEvent: (event) => {
        dispatch({ type: 'event', event });
        noteApplied(event.eventId);
        // The importer's progress bar (components/import-csv.tsx) listens for its job's progress.
        if (event.type === 'users_imported') window.dispatchEvent(new CustomEvent<ImportProgress>(IMPORT_PROGRESS_EVENT, { detail: event }));
        if (event.type === 'user_updated' && event.user.id === ownRole.current?.me && event.user.role !== event.previous.role) ownRole.current.changed(event.user.role);
      },
      onResync: () => refetch(),
      onLeaderAt: (lastEventId) => {
        if (lastEventId > latest.current.lastEventId) refetch();
      },
      onStatus: (next) => {
        setStream(next);
        if (next === 'signed-out') stream.close();
      },
    });
    live.current = stream;
    window.addEventListener('focus', stream.reconnectNow);
    window.addEventListener('online', stream.reconnectNow);
    return () => {
      window.removeEventListener('focus', stream.reconnectNow);
      window.removeEventListener('online', stream.reconnectNow);
      stream.close();
      live.current = null;
    };
  }, [refetch]);

  // After every commit: the events handed to the reducer are on the screen now (how live it is, measured).
  useLayoutEffect(appliedNow);

  // This tab is here, and says how it is live, while the directory is open.
  useEffect(() => startPresence(), []);
  useEffect(() => setTransport(stream === 'sse' ? 'sse' : 'polling'), [stream]);

  return { state, status: stream === 'polling' && !pollOk ? 'offline' : stream, search, searching };
}
