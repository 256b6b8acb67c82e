import 'client-only';
// Browser side of presence and delivery: this tab tells the server it is here (and which user's
// editor it has open), how it is live, and how long the events it applied took to reach the
// screen — one small request every REPORT_EVERY_MS, one sooner when something changes (at most one
// a second), and one as the tab closes. Who is here comes back in each answer and, between them,
// in the stream's `presence` frames.
import { applyPresence, MAX_DELIVERIES, type PresenceAnswer, type PresenceDTO, type PresenceFrame, type PresenceReport, REPORT_EVERY_MS, type Transport } from '@/lib/shared/presence';

type Sample = { eventId: number; appliedAt: number };

const MIN_GAP_MS = 1_000;
/** The first report waits this long for the stream to say how the tab is live. */
const JOIN_AFTER_MS = 500;

const tab = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : '';
let people: PresenceDTO = { people: [], version: '' };
const listeners = new Set<() => void>();
let transport: Transport = 'polling';
/** Which user's editor each open editor of this tab shows (an editor closing removes its own). */
const editors = new Map<symbol, number>();
let samples: Sample[] = [];
/** Events applied since the last report: the reservoir keeps a uniform sample of them. */
let applied = 0;
let lastSent = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
/** When the next report is due (the soonest anything asked for), and whether one is on its way now. */
let dueAt = Infinity;
let sending = false;
let started = 0;
/**
 * The server's clock minus this tab's (performance.timeOrigin + performance.now()), as NTP finds
 * it: from the answer with the shortest round trip so far, whose error is at most half that trip.
 * Null until the first answer: until then no sample can be placed on the server's clock.
 */
let offset: { ms: number; roundTrip: number } | null = null;
/** The last page stopped reporting: leave unless another starts soon (a navigation within the app). */
let leaving: ReturnType<typeof setTimeout> | undefined;
const EMPTY: PresenceDTO = { people: [], version: '' };

const editing = (): number | null => [...editors.values()].at(-1) ?? null;

function setPeople(next: PresenceDTO): void {
  people = next;
  for (const listener of listeners) listener();
}

function body(leaving: boolean): PresenceReport {
  const report: PresenceReport = { tab, transport, editing: editing(), ...(leaving ? { leaving } : {}), ...(people.version ? { seen: people.version } : {}) };
  const shift = offset?.ms;
  if (!leaving && shift !== undefined && samples.length > 0) {
    report.deliveries = samples.map(({ eventId, appliedAt }) => ({ eventId, atMs: Math.round(performance.timeOrigin + appliedAt + shift) }));
  }
  return report;
}

/** An answer's `serverTime`, between asking (`sent`) and hearing (`heard`, both performance.now()): a closer offset if its trip was shorter. */
function measureOffset(serverTime: number, sent: number, heard: number): void {
  const roundTrip = heard - sent;
  if (offset && offset.roundTrip <= roundTrip) return;
  offset = { ms: serverTime - (performance.timeOrigin + (sent + heard) / 2), roundTrip };
}

async function send(): Promise<void> {
  timer = undefined;
  if (started === 0) return;
  sending = true;
  dueAt = Infinity;
  const report = body(false);
  // Samples go with this report whatever its answer: a refused one is not sent twice.
  samples = [];
  applied = 0;
  let retryAfterMs: number | null = null;
  try {
    const sent = performance.now();
    const response = await fetch('/api/presence', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(report) });
    const heard = performance.now();
    if (response.ok) {
      const { serverTime, version, people: here } = (await response.json()) as PresenceAnswer;
      measureOffset(serverTime, sent, heard);
      // Without the list: the one this tab shows is current.
      if (here) setPeople({ people: here, version });
    }
    // Refused (429), nothing of it was recorded: an editor opened or closed must not wait for the next regular report.
    else if (response.status === 429) retryAfterMs = Number(response.headers.get('Retry-After') ?? 1) * 1_000 || MIN_GAP_MS;
  } catch {
    // Offline: the next report says it all again.
  }
  // The server counts its second from when the report arrived, which is after it was sent: counted
  // from the answer, the next one is never early on the server's clock however long this trip took.
  lastSent = Date.now();
  sending = false;
  if (retryAfterMs !== null) schedule(retryAfterMs);
  schedule(REPORT_EVERY_MS);
}

/** The next report in `delay` ms, or sooner if one is already due sooner; never within a second of the last, nor while one is on its way. */
function schedule(delay: number): void {
  if (started === 0) return;
  dueAt = Math.min(dueAt, Date.now() + delay);
  if (sending) return;
  clearTimeout(timer);
  const at = Math.max(dueAt, lastSent + MIN_GAP_MS);
  timer = setTimeout(() => void send(), at - Date.now());
}

function leave(): void {
  if (!tab) return;
  // keepalive: the request outlives the page. (sendBeacon could not send it as JSON.)
  void fetch('/api/presence', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body(true)), keepalive: true }).catch(() => undefined);
}

function onPageShow(event: PageTransitionEvent): void {
  // Back from the back/forward cache: here again.
  if (event.persisted) schedule(0);
}

/** Starts reporting (the dashboard, the edit page); returns what stops it. Counted: two callers, one reporter. */
export function startPresence(): () => void {
  if (!tab) return () => undefined;
  clearTimeout(leaving);
  if (started++ === 0) {
    window.addEventListener('pagehide', leave);
    window.addEventListener('pageshow', onPageShow);
    schedule(JOIN_AFTER_MS);
  }
  return () => {
    if (--started > 0) return;
    clearTimeout(timer);
    timer = undefined;
    dueAt = Infinity;
    window.removeEventListener('pagehide', leave);
    window.removeEventListener('pageshow', onPageShow);
    leaving = setTimeout(leave, MIN_GAP_MS);
  };
}

/** How the tab is live now; a change is reported within a second. */
export function setTransport(next: Transport): void {
  if (next === transport) return;
  transport = next;
  schedule(0);
}

/** An editor of `userId` opened; returns what to call when it closes. Reported within a second. */
export function openEditor(userId: number): () => void {
  const key = Symbol(userId);
  editors.set(key, userId);
  schedule(0);
  return () => {
    editors.delete(key);
    schedule(0);
  };
}

/** Events handed to the table and not yet on screen (appliedNow takes them once React has committed). */
let handed: number[] = [];

/** The table was handed event `eventId` (the stream's, or a polled page's newest). */
export function noteApplied(eventId: number): void {
  handed.push(eventId);
}

/**
 * React has committed the render that holds the events handed to it: they are on the screen (in
 * the DOM, before the next paint) now. A hidden tab's events are not measured: it shows nothing,
 * and its wait is not the network's. A uniform sample of MAX_DELIVERIES per report (reservoir
 * sampling), so a burst costs the report nothing more.
 */
export function appliedNow(): void {
  if (handed.length === 0) return;
  const ids = handed;
  handed = [];
  if (document.visibilityState !== 'visible') return;
  const appliedAt = performance.now();
  for (const eventId of ids) {
    applied++;
    if (samples.length < MAX_DELIVERIES) samples.push({ eventId, appliedAt });
    else {
      const slot = Math.floor(Math.random() * applied);
      if (slot < MAX_DELIVERIES) samples[slot] = { eventId, appliedAt };
    }
  }
}

/**
 * A `presence` frame from the stream: what changed since the list it names. A tab that shows
 * another (it missed a frame, or its first answer is still on its way) asks for the whole list:
 * its next report, now, is answered with it.
 */
export function receivePresence(frame: PresenceFrame): void {
  if (frame.version === people.version) return;
  const next = applyPresence(people, frame);
  if (next) setPeople(next);
  else schedule(0);
}

/** For useSyncExternalStore. */
export const presenceStore = {
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  snapshot: (): PresenceDTO => people,
  server: (): PresenceDTO => EMPTY,
};
