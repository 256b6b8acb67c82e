import 'client-only';
// Browser side: one EventSource per browser, shared by its tabs.
//
// HTTP/1.1 allows six connections per origin, so a stream per tab would hang the seventh tab.
// The tab holding a Web Lock is the leader: it alone opens the stream and relays what arrives
// over a BroadcastChannel. When it closes, the lock passes to a waiting tab, which opens the
// stream from its own last event id (the server replays what it missed).
import type { HubEvent } from '@/lib/shared/dto';
import type { PresenceFrame } from '@/lib/shared/presence';
import { receivePresence } from './presence';
import { connectEventStream, type LiveStatus, type LiveStream, type StreamHandlers } from './event-source';

type Message =
  | { type: 'event'; event: HubEvent }
  | { type: 'resync' }
  | { type: 'presence'; presence: PresenceFrame }
  | { type: 'status'; status: LiveStatus }
  | { type: 'hello' }
  | { type: 'leader'; lastEventId: number; status: LiveStatus };

/** Who is here goes to the tab's presence store (lib/browser/presence.ts), whoever opened the stream. */
export type SharedStreamHandlers = Omit<StreamHandlers, 'onPresence'> & {
  /**
   * A tab that joins hears where the leader's stream stands. Tabs may show different views, so
   * the joining tab compares that with its own last event id and fetches its own page if it is behind.
   */
  onLeaderAt: (lastEventId: number) => void;
};

const LOCK = 'roster-live-leader';
const CHANNEL = 'roster-live';

export function openSharedStream(handlers: SharedStreamHandlers): LiveStream {
  if (typeof BroadcastChannel === 'undefined' || !navigator.locks) return connectEventStream({ ...handlers, onPresence: receivePresence });

  const channel = new BroadcastChannel(CHANNEL);
  const release = new AbortController();
  let stream: LiveStream | null = null;
  let status: LiveStatus = 'connecting';
  let closed = false;
  // A stream's last status can arrive after the tab closed the channel (it navigated away).
  const post = (message: Message) => {
    if (!closed) channel.postMessage(message);
  };

  channel.onmessage = ({ data }: MessageEvent<Message>) => {
    if (stream) {
      if (data.type === 'hello') post({ type: 'leader', lastEventId: handlers.lastEventId(), status });
      return;
    }
    if (data.type === 'event') handlers.onEvent(data.event);
    else if (data.type === 'resync') handlers.onResync();
    else if (data.type === 'presence') receivePresence(data.presence);
    else if (data.type === 'status') handlers.onStatus(data.status);
    else if (data.type === 'leader') {
      handlers.onLeaderAt(data.lastEventId);
      handlers.onStatus(data.status);
    }
  };

  // Until this tab leads, it follows: ask the leader (if any) for where the table stands now.
  post({ type: 'hello' });
  navigator.locks
    .request(LOCK, { signal: release.signal }, () => {
      stream = connectEventStream({
        lastEventId: handlers.lastEventId,
        onEvent: (event) => {
          handlers.onEvent(event);
          post({ type: 'event', event });
        },
        onResync: () => {
          handlers.onResync();
          post({ type: 'resync' });
        },
        onPresence: (presence) => {
          receivePresence(presence);
          post({ type: 'presence', presence });
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
      closed = true;
      channel.close();
    },
  };
}
