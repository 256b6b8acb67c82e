// Browser side: one EventSource per browser, shared by its tabs.
//
// HTTP/1.1 allows six connections per origin, so a stream per tab would hang the seventh tab.
// The tab holding a Web Lock is the leader: it alone opens the stream and relays what arrives
// over a BroadcastChannel. When it closes, the lock passes to a waiting tab, which opens the
// stream from its own cursor (the server replays what it missed).
import type { Snapshot } from '../events/apply';
import type { HubEvent } from '../events/types';
import { connectEventStream, type LiveStream, type StreamHandlers, type StreamStatus } from './event-stream';

type Message =
  | { type: 'event'; event: HubEvent }
  | { type: 'resync' }
  | { type: 'status'; status: StreamStatus }
  | { type: 'hello' }
  | { type: 'snapshot'; snapshot: Snapshot; status: StreamStatus };

export type SharedStreamHandlers = StreamHandlers & {
  /** The table as this tab has it: sent to a tab that joins, so it starts from there. */
  snapshot: () => Snapshot;
  onSnapshot: (snapshot: Snapshot) => void;
};

const LOCK = 'roster-live-leader';
const CHANNEL = 'roster-live';

export function openSharedStream(handlers: SharedStreamHandlers): LiveStream {
  if (typeof BroadcastChannel === 'undefined' || !navigator.locks) return connectEventStream(handlers);

  const channel = new BroadcastChannel(CHANNEL);
  const release = new AbortController();
  let stream: LiveStream | null = null;
  let status: StreamStatus = 'connecting';
  const post = (message: Message) => channel.postMessage(message);

  channel.onmessage = ({ data }: MessageEvent<Message>) => {
    if (stream) {
      if (data.type === 'hello') post({ type: 'snapshot', snapshot: handlers.snapshot(), status });
      return;
    }
    if (data.type === 'event') handlers.onEvent(data.event);
    else if (data.type === 'resync') handlers.onResync();
    else if (data.type === 'status') handlers.onStatus(data.status);
    else if (data.type === 'snapshot') {
      handlers.onSnapshot(data.snapshot);
      handlers.onStatus(data.status);
    }
  };

  // Until this tab leads, it follows: ask the leader (if any) for where the table stands now.
  post({ type: 'hello' });
  navigator.locks
    .request(LOCK, { signal: release.signal }, () => {
      stream = connectEventStream({
        cursor: handlers.cursor,
        onEvent: (event) => {
          handlers.onEvent(event);
          post({ type: 'event', event });
        },
        onResync: () => {
          handlers.onResync();
          post({ type: 'resync' });
        },
        onStatus: (next) => {
          status = next;
          handlers.onStatus(next);
          post({ type: 'status', status: next });
        },
      });
      // Hold the lock until this tab goes away.
      return new Promise<void>((resolve) => release.signal.addEventListener('abort', () => resolve()));
    })
    .catch(() => undefined); // aborted while waiting: the tab closed before it led

  return {
    reconnectNow: () => stream?.reconnectNow(),
    close: () => {
      stream?.close();
      stream = null;
      release.abort();
      channel.close();
    },
  };
}
