import { describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import { type LiveState, applyEvent, applySnapshot, initialState } from '@/lib/events/apply';
import type { HubEvent } from '@/lib/events/types';

const user = (id: number): UserDTO => ({
  id,
  name: `User ${id}`,
  email: `user${id}@example.com`,
  createdAt: `2026-01-01T00:00:${String(id % 60).padStart(2, '0')}.000Z`,
});
const created = (eventId: number, id: number): HubEvent => ({ type: 'user_created', user: user(id), eventId });
const deleted = (eventId: number, id: number): HubEvent => ({ type: 'user_deleted', id, eventId });

const ids = (state: LiveState) => state.users.map((u) => u.id);
const applyAll = (state: LiveState, events: HubEvent[]) => events.reduce(applyEvent, state);

describe('initialState', () => {
  it('starts from the server snapshot with no recent events', () => {
    const snapshot = { users: [user(2), user(1)], lastEventId: 100 };
    expect(initialState(snapshot)).toEqual({ users: [user(2), user(1)], lastEventId: 100, recent: [] });
  });
});

describe('applyEvent', () => {
  const start = initialState({ users: [user(5), user(3)], lastEventId: 100 });

  it('puts a created user in newest-first order by id', () => {
    expect(ids(applyEvent(start, created(101, 9)))).toEqual([9, 5, 3]);
    expect(ids(applyEvent(start, created(101, 4)))).toEqual([5, 4, 3]);
    expect(ids(applyEvent(start, created(101, 1)))).toEqual([5, 3, 1]);
    expect(ids(applyEvent(initialState({ users: [], lastEventId: 0 }), created(1, 1)))).toEqual([1]);
  });

  it('removes a deleted user', () => {
    expect(ids(applyEvent(start, deleted(101, 5)))).toEqual([3]);
  });

  it('advances lastEventId and remembers the event', () => {
    const event = created(101, 9);
    const next = applyEvent(start, event);
    expect(next.lastEventId).toBe(101);
    expect(next.recent).toEqual([event]);
  });

  it('is idempotent: an event applied twice changes nothing the second time', () => {
    const once = applyEvent(start, created(101, 9));
    expect(applyEvent(once, created(101, 9))).toBe(once);
    const gone = applyEvent(once, deleted(102, 9));
    expect(applyEvent(gone, deleted(102, 9))).toBe(gone);
    expect(ids(gone)).toEqual([5, 3]);
  });

  it('ignores events the state already reflects (older than lastEventId)', () => {
    const later = applyEvent(start, created(110, 9));
    expect(applyEvent(later, deleted(105, 5))).toBe(later);
    expect(applyEvent(start, created(100, 8))).toBe(start);
  });

  it('does not duplicate a user the list already holds, nor fail on deleting one it does not', () => {
    const again = applyEvent(start, created(101, 5));
    expect(ids(again)).toEqual([5, 3]);
    expect(again.lastEventId).toBe(101);
    const missing = applyEvent(start, deleted(101, 42));
    expect(ids(missing)).toEqual([5, 3]);
    expect(missing.lastEventId).toBe(101);
  });

  it('keeps only the most recent 200 events', () => {
    const events = Array.from({ length: 250 }, (_, i) => created(101 + i, 1000 + i));
    const state = applyAll(start, events);
    expect(state.recent).toHaveLength(200);
    expect(state.recent[0]).toBe(events[50]);
    expect(state.recent.at(-1)).toBe(events[249]);
    expect(state.users).toHaveLength(252);
  });

  it('does not mutate the state it is given', () => {
    const frozen = structuredClone(start);
    applyEvent(start, created(101, 9));
    applyEvent(start, deleted(101, 5));
    expect(start).toEqual(frozen);
  });
});

describe('applySnapshot', () => {
  // Live state at 103: user 4 was created at 101, user 5 at 102, user 3 deleted at 103.
  const live = applyAll(initialState({ users: [user(3), user(2)], lastEventId: 100 }), [
    created(101, 4),
    created(102, 5),
    deleted(103, 3),
  ]);

  it('replaces the list with a snapshot newer than the state', () => {
    const next = applySnapshot(live, { users: [user(7), user(5)], lastEventId: 110 });
    expect(ids(next)).toEqual([7, 5]);
    expect(next.lastEventId).toBe(110);
  });

  it('replaces the list with a snapshot exactly as new as the state', () => {
    const next = applySnapshot(live, { users: [user(5), user(2)], lastEventId: 103 });
    expect(ids(next)).toEqual([5, 2]);
    expect(next.lastEventId).toBe(103);
  });

  it('brings an older snapshot forward with the events applied since', () => {
    // Fetched at 101: it has user 4 but not 5, and user 3 is still there.
    const next = applySnapshot(live, { users: [user(4), user(3), user(2), user(1)], lastEventId: 101 });
    expect(ids(next)).toEqual([5, 4, 2, 1]);
    expect(next.lastEventId).toBe(103);
    expect(next.recent).toBe(live.recent);
  });

  it('rebases a snapshot whose rows already include some of the later events', () => {
    // The server reads its cursor before its rows, so rows may be newer than lastEventId says.
    const next = applySnapshot(live, { users: [user(5), user(4), user(2)], lastEventId: 101 });
    expect(ids(next)).toEqual([5, 4, 2]);
  });

  it('ignores an older snapshot when the events since it are not all remembered', () => {
    expect(applySnapshot(live, { users: [user(1)], lastEventId: 99 })).toBe(live);
    const fresh = initialState({ users: [user(1)], lastEventId: 100 });
    expect(applySnapshot(fresh, { users: [], lastEventId: 90 })).toBe(fresh);
  });

  it('ignores a snapshot older than the 200 remembered events', () => {
    const events = Array.from({ length: 210 }, (_, i) => created(101 + i, 1000 + i));
    const busy = applyAll(initialState({ users: [], lastEventId: 100 }), events);
    expect(applySnapshot(busy, { users: [], lastEventId: 100 })).toBe(busy);
    const rebased = applySnapshot(busy, { users: [], lastEventId: 110 });
    expect(rebased.users).toHaveLength(200);
    expect(rebased.lastEventId).toBe(310);
  });
});
