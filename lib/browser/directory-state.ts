import 'client-only';
// The dashboard's live page as one reducer: pure transitions from a server page (snapshot), a live
// event, and a change of view. Each event is applied to the visible page when the event and the
// page decide its effect — the event carries the user after the change and before it — so an event
// that does not touch the visible window changes at most the total, and asks the server nothing.
// Safe to import on the client.
import { decodeCursor, encodeCursor, type Position } from '@/lib/shared/directory/cursor';
import { compareKeys } from '@/lib/shared/directory/keys';
import { adjustTotal } from '@/lib/shared/directory/total';
import { compareInView, matchesView, PAGE_SIZE, sortValue, type View } from '@/lib/shared/directory/view';
import type { HubEvent, PageDTO, UserDTO } from '@/lib/shared/dto';

export type DirectoryState = {
  view: View;
  /** The page's cursor (null: the first page). */
  cursor: string | null;
  users: UserDTO[];
  total: number;
  /** False when the view has more users than the server counts (total is then TOTAL_CAP): "10,000+". */
  totalIsExact: boolean;
  nextCursor: string | null;
  prevCursor: string | null;
  lastEventId: number;
  /** Recent events, to bring a page fetched before some of them up to date: every event after `recentFrom`. */
  recent: HubEvent[];
  recentFrom: number;
  /** Users added since the page loaded that sort before it (on an earlier page). */
  newBefore: number;
  /**
   * A visible row left a full page: the page must be fetched again to show 50 rows. 0 when not,
   * else the number of the request (see `asked`).
   */
  refill: number;
  /**
   * The page was brought forward with events that may already have been in it (a write commits
   * before its event is published, so a page read in between holds the row but not the event):
   * rows come out right either way, but the total may count such a write twice. Fetch the page
   * once more shortly, when those publishes are done. 0 when not, else the request's number.
   */
  recheck: number;
  /**
   * An import changed users somewhere (its rows are not on the stream): the page must be read again,
   * at most once a second (the hook's throttle). 0 when not, else the request's number.
   */
  imported: number;
  /**
   * Requests asked for so far. Each refill or recheck gets a new number, so a request made while
   * one is answered (its page came back older than the events, which took another row away) is a
   * change the hook sees, and fetches again: a flag already true would stay true, and nothing would.
   */
  asked: number;
};

export type DirectoryAction =
  | { type: 'page'; page: PageDTO; view: View; cursor: string | null }
  | { type: 'event'; event: HubEvent };

const RECENT_LIMIT = 500;

export function initialDirectory(page: PageDTO, view: View, cursor: string | null): DirectoryState {
  // Rows with none before them are the view's first page, whichever cursor led to them ("Previous"
  // back to the start): kept live as the first page, where new users appear at the top.
  const first = page.prevCursor === null && page.users.length > 0;
  return { view, cursor: first ? null : cursor, ...page, recent: [], recentFrom: page.lastEventId, newBefore: 0, refill: 0, recheck: 0, imported: 0, asked: 0 };
}

/** The anchor row of a later page, in view order: where the page starts (after) or ends (before). */
function anchorOf(state: DirectoryState): Position | null {
  if (!state.cursor) return null;
  try {
    return decodeCursor(state.cursor, state.view);
  } catch {
    return null;
  }
}

/** Compares a user with an anchor position, in the view's order. */
function compareToAnchor(user: UserDTO, anchor: Position, view: View): number {
  const byKey = compareKeys(sortValue(user, view.sort), anchor.key);
  const result = byKey !== 0 ? byKey : user.id - anchor.id;
  return view.order === 'asc' ? result : -result;
}

type Placement = 'before' | 'inside' | 'after';

/**
 * Where a user who matches the view falls relative to the visible page (`users`, which no longer
 * holds that user). A page after an anchor holds the first rows past it; a page before an anchor
 * the last rows before it; an edge of the page with more rows beyond bounds it too.
 */
function placement(state: DirectoryState, users: UserDTO[], user: UserDTO): Placement {
  const anchor = anchorOf(state);
  const { view } = state;
  const first = users[0];
  const last = users.at(-1);
  if (anchor?.direction === 'after' && compareToAnchor(user, anchor, view) <= 0) return 'before';
  if (anchor?.direction === 'before' && compareToAnchor(user, anchor, view) >= 0) return 'after';
  if (anchor?.direction !== 'after' && state.prevCursor !== null && first && compareInView(user, first, view) < 0) return 'before';
  if (anchor?.direction !== 'before' && state.nextCursor !== null && last && compareInView(user, last, view) > 0) return 'after';
  return 'inside';
}

function insertSorted(users: UserDTO[], user: UserDTO, view: View): UserDTO[] {
  const at = users.findIndex((other) => compareInView(user, other, view) < 0);
  return at === -1 ? [...users, user] : [...users.slice(0, at), user, ...users.slice(at)];
}

/** Applies one live event. Idempotent: an event the page already reflects changes nothing. */
export function applyEvent(state: DirectoryState, event: HubEvent): DirectoryState {
  if (event.eventId <= state.lastEventId) return state;
  if (event.type === 'users_imported') return applyImport(state, event);
  const before = event.type === 'user_created' || event.type === 'user_restored' ? null : event.type === 'user_updated' ? event.previous : event.user;
  const after = event.type === 'user_deleted' ? null : event.user;
  const matchedBefore = before !== null && matchesView(before, state.view);
  const matchesNow = after !== null && matchesView(after, state.view);
  const id = after?.id ?? (event.type === 'user_deleted' ? event.id : 0);

  let users = state.users.filter((user) => user.id !== id);
  const leftVisible = users.length < state.users.length;
  let { newBefore } = state;
  let hasNext = state.nextCursor !== null;
  let hasPrev = state.prevCursor !== null;
  let placed = false;
  if (after && matchesNow) {
    const where = placement(state, users, after);
    if (where === 'inside') {
      users = insertSorted(users, after, state.view);
      placed = true;
    } else if (where === 'before' && !matchedBefore) {
      newBefore += 1;
    }
  }
  // A full page that gained a row gives one up at the edge away from its anchor.
  if (users.length > PAGE_SIZE) {
    if (anchorOf(state)?.direction === 'before') {
      users = users.slice(1);
      hasPrev = true;
    } else {
      users = users.slice(0, PAGE_SIZE);
      hasNext = true;
    }
  }
  const ask = !state.refill && leftVisible && !placed && state.users.length >= PAGE_SIZE && (hasNext || hasPrev);
  const asked = state.asked + Number(ask);
  const refill = ask ? asked : state.refill;
  const first = users[0];
  const last = users.at(-1);
  const dropped = state.recent.length >= RECENT_LIMIT ? state.recent[0] : undefined;
  return {
    ...state,
    users,
    ...adjustTotal(state, Number(matchesNow) - Number(matchedBefore), state.view.q !== '' || state.view.role !== ''),
    // The server's cursors name the edge rows; so do these, once the edges have moved.
    nextCursor: hasNext && last ? encodeCursor(state.view, 'after', last) : null,
    prevCursor: hasPrev && first ? encodeCursor(state.view, 'before', first) : null,
    newBefore,
    refill,
    asked,
    lastEventId: event.eventId,
    recent: [...state.recent.slice(dropped ? 1 : 0), event],
    recentFrom: dropped ? dropped.eventId : state.recentFrom,
  };
}

/**
 * An import's (or a delete job's) progress: its rows are not on the stream (one frame a second at most, whatever the
 * import's size), so a view it may have changed is fetched again, at most once a second.
 */
function applyImport(state: DirectoryState, event: Extract<HubEvent, { type: 'users_imported' }>): DirectoryState {
  const changed = event.created + event.updated + (event.deleted ?? 0) + (event.restored ?? 0) > 0;
  const asked = state.asked + Number(changed);
  const dropped = state.recent.length >= RECENT_LIMIT ? state.recent[0] : undefined;
  return {
    ...state,
    imported: changed ? asked : state.imported,
    asked,
    lastEventId: event.eventId,
    recent: [...state.recent.slice(dropped ? 1 : 0), event],
    recentFrom: dropped ? dropped.eventId : state.recentFrom,
  };
}

/**
 * Takes a page from the server, for this view or another one. Events are the same whatever the
 * view, so a page older than the state (its request raced live events) is brought forward with
 * the events since; if some of those are no longer kept, the same page is ignored and another one
 * taken but marked for a refetch.
 */
export function applyPage(state: DirectoryState, page: PageDTO, view: View, cursor: string | null): DirectoryState {
  // Request numbers carry on across pages: a new request never reuses one the hook has seen.
  const fresh = { ...initialDirectory(page, view, cursor), asked: state.asked };
  if (page.lastEventId >= state.lastEventId) return fresh;
  if (page.lastEventId < state.recentFrom) {
    const samePage = fresh.cursor === state.cursor && sameView(view, state.view);
    return samePage ? state : { ...fresh, refill: fresh.asked + 1, asked: fresh.asked + 1 };
  }
  const forward = state.recent.filter((event) => event.eventId > page.lastEventId).reduce(applyEvent, fresh);
  return { ...forward, recheck: forward.asked + 1, asked: forward.asked + 1 };
}

const sameView = (a: View, b: View) => a.q === b.q && a.role === b.role && a.sort === b.sort && a.order === b.order;

export function directoryReducer(state: DirectoryState, action: DirectoryAction): DirectoryState {
  if (action.type === 'event') return applyEvent(state, action.event);
  return applyPage(state, action.page, action.view, action.cursor);
}
