// Folding events and list snapshots into the client's copy of the table. Pure; safe on the client.
import type { UserDTO } from '../dto';
import type { HubEvent } from './types';

/** The user list as of an event id: every event up to `lastEventId` is reflected in `users`. */
export type Snapshot = { users: UserDTO[]; lastEventId: number };

/** A snapshot plus the events applied since, so an older snapshot can be brought forward. */
export type LiveState = Snapshot & { recent: HubEvent[] };

const RECENT_LIMIT = 200;

export function initialState(snapshot: Snapshot): LiveState {
  return { ...snapshot, recent: [] };
}

function fold(users: UserDTO[], event: HubEvent): UserDTO[] {
  if (event.type === 'user_deleted') {
    return users.some((u) => u.id === event.id) ? users.filter((u) => u.id !== event.id) : users;
  }
  if (users.some((u) => u.id === event.user.id)) return users;
  const at = users.findIndex((u) => u.id < event.user.id); // newest (highest id) first
  return at === -1 ? [...users, event.user] : [...users.slice(0, at), event.user, ...users.slice(at)];
}

/** Applies a live event. Idempotent: an event the state already reflects changes nothing. */
export function applyEvent(state: LiveState, event: HubEvent): LiveState {
  if (event.eventId <= state.lastEventId) return state;
  return {
    users: fold(state.users, event),
    lastEventId: event.eventId,
    recent: [...state.recent.slice(-(RECENT_LIMIT - 1)), event],
  };
}

/**
 * Takes a freshly fetched list. A snapshot at least as new as the state replaces it; an older
 * one (its request raced live events) is brought forward with the events applied since, or
 * ignored when those are no longer all in `recent`.
 */
export function applySnapshot(state: LiveState, snapshot: Snapshot): LiveState {
  const since = state.recent.filter((e) => e.eventId > snapshot.lastEventId);
  if (snapshot.lastEventId < state.lastEventId && since[0]?.eventId !== snapshot.lastEventId + 1) return state;
  let users = snapshot.users;
  for (const event of since) users = fold(users, event);
  return { users, lastEventId: Math.max(state.lastEventId, snapshot.lastEventId), recent: state.recent };
}
