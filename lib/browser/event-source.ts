import 'client-only';
// Browser side: one EventSource to /events, with reconnection this code controls.
import type { HubEvent } from '@/lib/shared/dto';
import type { PresenceFrame } from '@/lib/shared/presence';
import { decodeEvent, USER_EVENT_TYPES } from './decode-event';

/**
 * Where the live updates stand — the one status type, from the stream to the status line.
 * 'polling': the stream is down and the page polls; 'offline': polling fails too; 'signed-out':
 * the session ended, and nothing reconnects until the user signs in again.
 */
export type LiveStatus = 'connecting' | 'sse' | 'polling' | 'offline' | 'signed-out';

export type StreamHandlers = {
  /** The id of the newest event the table reflects: the stream replays from there. */
  lastEventId: () => number;
  onEvent: (event: HubEvent) => void;
  /** The server could not replay from lastEventId: refetch the list. */
  onResync: () => void;
  onStatus: (status: LiveStatus) => void;
  /** Who is here changed (a `presence` frame). */
  onPresence: (presence: PresenceFrame) => void;
};

export type LiveStream = { reconnectNow: () => void; close: () => void };

const RECONNECT_MIN_MS = 1_000;
const RECONNECT_MAX_MS = 30_000;

/** Exponential backoff with jitter, so a crowd of clients does not reconnect in step. */
export function backoff(attempt: number, random = Math.random): number {
  const bound = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** attempt);
  return bound / 2 + random() * (bound / 2);
}

/**
 * Opens the stream from lastEventId. On failure it reports 'polling' (the caller polls) and
 * retries with backoff; when the server shuts down it reconnects after a random short delay.
 */
export function connectEventStream(handlers: StreamHandlers): LiveStream {
  let source: EventSource | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;

  const data = <T>(message: Event) => JSON.parse((message as MessageEvent<string>).data) as T;

  const connect = () => {
    clearTimeout(retry);
    source?.close();
    const es = new EventSource(`/events?lastEventId=${handlers.lastEventId()}`);
    source = es;
    es.addEventListener('connected', () => {
      attempt = 0;
      handlers.onStatus('sse');
    });
    for (const type of USER_EVENT_TYPES) {
      es.addEventListener(type, (m) => {
        const message = m as MessageEvent<string>;
        handlers.onEvent(decodeEvent(type, message.lastEventId, message.data));
      });
    }
    es.addEventListener('resync', () => handlers.onResync());
    es.addEventListener('presence', (m) => handlers.onPresence(data<PresenceFrame>(m)));
    es.addEventListener('expired', () => {
      es.close();
      source = null;
      handlers.onStatus('signed-out');
    });
    es.addEventListener('shutdown', (m) => {
      es.close();
      source = null;
      retry = setTimeout(connect, Math.random() * data<{ reconnectWithinMs: number }>(m).reconnectWithinMs);
    });
    es.onerror = () => {
      // Take reconnection over from the browser: the caller polls meanwhile.
      es.close();
      if (source === es) source = null;
      handlers.onStatus('polling');
      retry = setTimeout(connect, backoff(attempt++));
    };
  };

  handlers.onStatus('connecting');
  connect();
  return {
    reconnectNow: () => {
      if (source?.readyState === EventSource.OPEN) return;
      attempt = 0;
      connect();
    },
    close: () => {
      clearTimeout(retry);
      source?.close();
      source = null;
    },
  };
}
