import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@/lib/shared/directory/cursor';
import { compareInView, DEFAULT_VIEW, PAGE_SIZE, type View } from '@/lib/shared/directory/view';
import type { HubEvent, PageDTO, UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { applyEvent, applyPage, type DirectoryState, directoryReducer, initialDirectory } from '@/lib/browser/directory-state';
import { aUser, deletedEvent } from '../support/users';

const minute = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString();
/** User `id`, created at minute `id`: newest first means highest id first. */
const user = (id: number, overrides: Partial<UserDTO> = {}) => aUser(id, { createdAt: minute(id), name: `User ${String(id).padStart(3, '0')}`, ...overrides });

const byName: View = { q: '', role: '', sort: 'name', order: 'asc' };

let eventId = 1000;
const created = (u: UserDTO): HubEvent => ({ type: 'user_created', user: u, eventId: ++eventId });
const updated = (previous: UserDTO, changes: Partial<UserDTO>): HubEvent => ({
  type: 'user_updated',
  user: { ...previous, ...changes, version: previous.version + 1 },
  previous,
  eventId: ++eventId,
});
const deleted = (u: UserDTO): HubEvent => ({ ...deletedEvent(u.id, u), eventId: ++eventId });

/** A page of `view` as the server would give it: `users` sorted, cursors from the edge rows. */
function pageOf(view: View, users: UserDTO[], { total = users.length, totalIsExact = true, more = false, earlier = false } = {}): PageDTO {
  const sorted = [...users].sort((a, b) => compareInView(a, b, view));
  const first = sorted[0];
  const last = sorted.at(-1);
  return {
    users: sorted,
    total,
    totalIsExact,
    nextCursor: more && last ? encodeCursor(view, 'after', last) : null,
    prevCursor: earlier && first ? encodeCursor(view, 'before', first) : null,
    lastEventId: eventId,
  };
}

const ids = (state: DirectoryState) => state.users.map((u) => u.id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the default view, first page', () => {
  it('shows a new user at the top, counts it, and ignores the same event twice', () => {
    const state = initialDirectory(pageOf(DEFAULT_VIEW, [user(1), user(2)]), DEFAULT_VIEW, null);
    const event = created(user(3));
    const next = applyEvent(state, event);
    expect(ids(next)).toEqual([3, 2, 1]);
    expect(next.total).toBe(3);
    expect(next.lastEventId).toBe(event.eventId);
    expect(applyEvent(next, event)).toBe(next);
  });

  it('keeps 50 rows when full: the last row moves to the next page, whose cursor follows the new last row', () => {
    const users = range(1, PAGE_SIZE).map((id) => user(id));
    const state = initialDirectory(pageOf(DEFAULT_VIEW, users, { total: 80, more: true }), DEFAULT_VIEW, null);
    const next = applyEvent(state, created(user(100)));
    expect(next.users).toHaveLength(PAGE_SIZE);
    expect(next.users[0]?.id).toBe(100);
    expect(ids(next)).not.toContain(1);
    expect(next.total).toBe(81);
    expect(next.nextCursor).toBe(encodeCursor(DEFAULT_VIEW, 'after', user(2)));
    expect(next.refill).toBe(0);
  });

  it('applies each kind of event once: an edit or a delete it already reflects changes nothing', () => {
    const state = initialDirectory(pageOf(DEFAULT_VIEW, [user(1), user(2)]), DEFAULT_VIEW, null);
    const edit = updated(user(2), { name: 'Renamed' });
    const edited = applyEvent(state, edit);
    expect(edited.users[0]?.name).toBe('Renamed');
    expect(applyEvent(edited, edit)).toBe(edited);
    const removal = deleted(user(1));
    const removed = applyEvent(edited, removal);
    expect(ids(removed)).toEqual([2]);
    expect(applyEvent(removed, removal)).toBe(removed);
    expect(removed.total).toBe(1);
  });

  it('puts a restored user back where their created time sorts, counted once, not at the top', () => {
    const state = initialDirectory(pageOf(DEFAULT_VIEW, [user(1), user(2), user(3)]), DEFAULT_VIEW, null);
    const gone = applyEvent(state, deleted(user(2)));
    expect(ids(gone)).toEqual([3, 1]);
    const restore: HubEvent = { type: 'user_restored', user: { ...user(2), version: 2 }, eventId: ++eventId };
    const back = applyEvent(gone, restore);
    expect(ids(back)).toEqual([3, 2, 1]);
    expect(back.total).toBe(3);
    expect(back.newBefore).toBe(0);
    expect(applyEvent(back, restore)).toBe(back);
  });

  it('refills a full first page after a delete when there are more, and not when it is the only page', () => {
    const users = range(1, PAGE_SIZE).map((id) => user(id));
    const full = initialDirectory(pageOf(DEFAULT_VIEW, users, { total: 80, more: true }), DEFAULT_VIEW, null);
    const gone = applyEvent(full, deleted(user(10)));
    expect(gone.users).toHaveLength(PAGE_SIZE - 1);
    expect(gone.refill).toBeGreaterThan(0);
    const only = initialDirectory(pageOf(DEFAULT_VIEW, users), DEFAULT_VIEW, null);
    expect(applyEvent(only, deleted(user(10))).refill).toBe(0);
  });

  it('asks for another refill when the refilled page comes back older than a delete that took one more row', () => {
    const users = range(1, PAGE_SIZE + 2).map((id) => user(id));
    const full = initialDirectory(pageOf(DEFAULT_VIEW, users.slice(2), { total: 80, more: true }), DEFAULT_VIEW, null);
    const gone = applyEvent(full, deleted(user(10)));
    // The refill is on its way; the server reads it after this delete but before the next one.
    const refilled = pageOf(DEFAULT_VIEW, users.slice(1).filter((u) => u.id !== 10), { total: 79, more: true });
    const second = applyEvent(gone, deleted(user(20)));
    expect(second.refill).toBe(gone.refill); // one request at a time
    const answered = applyPage(second, { ...refilled, lastEventId: gone.lastEventId }, DEFAULT_VIEW, null);
    expect(answered.users).toHaveLength(PAGE_SIZE - 1); // the page, brought forward over the second delete
    expect(answered.refill).toBeGreaterThan(0);
    // A new request, not the answered one: the hook sees a change and fetches again.
    expect(answered.refill).not.toBe(gone.refill);
  });

  it('gains a next page when a full last page grows past 50', () => {
    const users = range(1, PAGE_SIZE).map((id) => user(id));
    const state = initialDirectory(pageOf(DEFAULT_VIEW, users), DEFAULT_VIEW, null);
    expect(state.nextCursor).toBeNull();
    const next = applyEvent(state, created(user(200)));
    expect(next.nextCursor).not.toBeNull();
  });
});

describe('a later page', () => {
  // Sorted by name: page 2 starts after "User 050" and shows 051..100, more after it.
  const all = range(1, 150).map((id) => user(id));
  const anchor = all[49] as UserDTO;
  const cursor = encodeCursor(byName, 'after', anchor);
  const pageTwo = () => initialDirectory(pageOf(byName, all.slice(50, 100), { total: 150, more: true, earlier: true }), byName, cursor);

  it('does not move when a user is added before it: only the total and the "new users" count change, and nothing is fetched', () => {
    const next = applyEvent(pageTwo(), created(user(500, { name: 'User 010a' })));
    expect(ids(next)).toEqual(range(51, 100));
    expect(next.total).toBe(151);
    expect(next.newBefore).toBe(1);
    expect(next.refill).toBe(0);
  });

  it('takes a user added inside it, and gives up its last row', () => {
    const next = applyEvent(pageTwo(), created(user(501, { name: 'User 060a' })));
    expect(ids(next)).toEqual([...range(51, 60), 501, ...range(61, 99)]);
    expect(next.total).toBe(151);
    expect(next.newBefore).toBe(0);
  });

  it('takes a user that sorts right after the anchor (ties by id)', () => {
    const next = applyEvent(pageTwo(), created(user(502, { name: anchor.name })));
    expect(next.users[0]?.id).toBe(502);
  });

  it('breaks a tie with its last row by id: a higher id sorts on the next page, a lower one inside', () => {
    const last = all[99] as UserDTO;
    const higher = applyEvent(pageTwo(), created(user(700, { name: last.name })));
    expect(ids(higher)).toEqual(range(51, 100));
    expect(higher.total).toBe(151);
    const lower = applyEvent(pageTwo(), updated(user(10), { name: last.name }));
    expect(ids(lower)).toEqual([...range(51, 99), 10]);
    expect(lower.nextCursor).toBe(encodeCursor(byName, 'after', { ...user(10), name: last.name, version: 2 }));
    expect(lower.total).toBe(150);
  });

  it('takes a user edited in from another page, and gives up its last row', () => {
    const next = applyEvent(pageTwo(), updated(user(140), { name: 'User 055a' }));
    expect(ids(next)).toEqual([...range(51, 55), 140, ...range(56, 99)]);
    expect(next.total).toBe(150);
    expect(next.refill).toBe(0);
  });

  it('only counts a user added after it', () => {
    const next = applyEvent(pageTwo(), created(user(503, { name: 'User 120a' })));
    expect(ids(next)).toEqual(range(51, 100));
    expect(next.total).toBe(151);
  });

  it('fades out a deleted row and asks once for the page to refill it', () => {
    const next = applyEvent(pageTwo(), deleted(user(70)));
    expect(ids(next)).not.toContain(70);
    expect(next.users).toHaveLength(49);
    expect(next.total).toBe(149);
    expect(next.refill).toBeGreaterThan(0);
  });

  it('changes only the total when a user off the page is deleted or edited', () => {
    const afterDelete = applyEvent(pageTwo(), deleted(user(120)));
    expect(ids(afterDelete)).toEqual(range(51, 100));
    expect(afterDelete.total).toBe(149);
    expect(afterDelete.refill).toBe(0);
    const afterEdit = applyEvent(pageTwo(), updated(user(130), { email: 'other@example.com' }));
    expect(ids(afterEdit)).toEqual(range(51, 100));
    expect(afterEdit.total).toBe(150);
  });

  it('moves an edited row within the page, or out of it (then refills)', () => {
    const moved = applyEvent(pageTwo(), updated(user(52), { name: 'User 075a' }));
    expect(ids(moved)).toEqual([51, ...range(53, 75), 52, ...range(76, 100)]);
    const left = applyEvent(pageTwo(), updated(user(52), { name: 'User 140a' }));
    expect(ids(left)).not.toContain(52);
    expect(left.refill).toBeGreaterThan(0);
    expect(left.total).toBe(150);
  });
});

describe('a page that ends before its anchor (reached with "Previous")', () => {
  const all = range(1, 150).map((id) => user(id));
  const cursor = encodeCursor(byName, 'before', all[100] as UserDTO);
  const page = () => initialDirectory(pageOf(byName, all.slice(50, 100), { total: 150, more: true, earlier: true }), byName, cursor);

  it('takes a user added inside it and gives up its first row', () => {
    const next = applyEvent(page(), created(user(600, { name: 'User 090a' })));
    expect(next.users).toHaveLength(PAGE_SIZE);
    expect(next.users[0]?.id).toBe(52);
    expect(ids(next)).toContain(600);
  });

  it('leaves a user that sorts at or after its anchor to the next page', () => {
    const next = applyEvent(page(), created(user(601, { name: 'User 101a' })));
    expect(ids(next)).toEqual(range(51, 100));
  });
});

describe('"Previous" back to the start of the view', () => {
  // The server answers a "before" cursor with nothing before it with the first page, in full.
  const all = range(1, 150).map((id) => user(id));
  const cursor = encodeCursor(byName, 'before', all[50] as UserDTO);
  const page = () => initialDirectory(pageOf(byName, all.slice(0, 50), { total: 150, more: true }), byName, cursor);

  it('is the first page: a new user that sorts first appears at the top', () => {
    expect(page().cursor).toBeNull();
    const next = applyEvent(page(), created(user(800, { name: 'A first' })));
    expect(ids(next)).toEqual([800, ...range(1, 49)]);
    expect(next.newBefore).toBe(0);
    expect(next.prevCursor).toBeNull();
  });

  it('keeps its cursor while rows lie before it', () => {
    const later = initialDirectory(pageOf(byName, all.slice(0, 50), { total: 150, more: true, earlier: true }), byName, cursor);
    expect(later.cursor).toBe(cursor);
  });
});

describe('a search', () => {
  const view: View = { q: 'ann', role: '', sort: 'createdAt', order: 'desc' };
  const anns = [user(1, { name: 'Ann One' }), user(2, { name: 'Ann Two' })];
  const search = () => initialDirectory(pageOf(view, anns), view, null);

  it('ignores users that do not match, and shows those that do', () => {
    const other = applyEvent(search(), created(user(3, { name: 'Bob' })));
    expect(ids(other)).toEqual([2, 1]);
    expect(other.total).toBe(2);
    const match = applyEvent(other, created(user(4, { name: 'Joanne' })));
    expect(ids(match)).toEqual([4, 2, 1]);
    expect(match.total).toBe(3);
  });

  it('drops a user edited out of the search, and shows one edited into it', () => {
    const out = applyEvent(search(), updated(anns[0] as UserDTO, { name: 'Zed' }));
    expect(ids(out)).toEqual([2]);
    expect(out.total).toBe(1);
    expect(out.refill).toBe(0); // the last page of the search: nothing to refill from
    const into = applyEvent(out, updated(user(9, { name: 'Bob' }), { name: 'Annabel' }));
    expect(ids(into)).toEqual([9, 2]);
    expect(into.total).toBe(2);
  });

  it('counts a deleted match off the page, and ignores a deleted non-match', () => {
    expect(applyEvent(search(), deleted(user(50, { name: 'Ann Far' }))).total).toBe(1);
    expect(applyEvent(search(), deleted(user(51, { name: 'Bob' }))).total).toBe(2);
  });
});

describe('a role filter', () => {
  const view: View = { q: '', role: 'admin', sort: 'createdAt', order: 'desc' };
  const admins = [user(1, { role: 'admin' }), user(2, { role: 'admin' })];
  const filtered = () => initialDirectory(pageOf(view, admins), view, null);

  it('shows a user given the role, drops one who loses it, and ignores everyone else', () => {
    const other = applyEvent(filtered(), created(user(3, { role: 'editor' })));
    expect(ids(other)).toEqual([2, 1]);
    const promoted = applyEvent(other, updated(user(3, { role: 'editor' }), { role: 'admin' }));
    expect(ids(promoted)).toEqual([3, 2, 1]);
    expect(promoted.total).toBe(3);
    const demoted = applyEvent(promoted, updated(admins[0] as UserDTO, { role: 'viewer' }));
    expect(ids(demoted)).toEqual([3, 2]);
    expect(demoted.total).toBe(2);
  });

  it('combines with a search: both must match', () => {
    const both: View = { ...view, q: 'ann' };
    const state = initialDirectory(pageOf(both, []), both, null);
    expect(applyEvent(state, created(user(4, { name: 'Ann', role: 'editor' }))).total).toBe(0);
    expect(applyEvent(state, created(user(5, { name: 'Bob', role: 'admin' }))).total).toBe(0);
    expect(ids(applyEvent(state, created(user(6, { name: 'Ann', role: 'admin' }))))).toEqual([6]);
  });
});

describe('pages from the server', () => {
  it('replaces the state with a newer page, and with the page of another view', () => {
    const state = initialDirectory(pageOf(DEFAULT_VIEW, [user(1)]), DEFAULT_VIEW, null);
    const newer = { ...pageOf(DEFAULT_VIEW, [user(1), user(2)]), lastEventId: state.lastEventId + 5 };
    expect(ids(applyPage(state, newer, DEFAULT_VIEW, null))).toEqual([2, 1]);
    const other = { ...pageOf(byName, [user(7)]), lastEventId: state.lastEventId + 6 };
    const switched = directoryReducer(state, { type: 'page', page: other, view: byName, cursor: null });
    expect(switched.view).toEqual(byName);
    expect(ids(switched)).toEqual([7]);
  });

  it('brings a page fetched before the last events forward with them', () => {
    const start = initialDirectory(pageOf(DEFAULT_VIEW, [user(1)]), DEFAULT_VIEW, null);
    const stale = pageOf(DEFAULT_VIEW, [user(1), user(2)]);
    const live = applyEvent(applyEvent(start, created(user(3))), deleted(user(1)));
    const next = applyPage(live, stale, DEFAULT_VIEW, null);
    expect(ids(next)).toEqual([3, 2]);
    expect(next.lastEventId).toBe(live.lastEventId);
    // The stale page may already have held user 3 (committed, not yet published): read it again.
    expect(next.recheck).toBeGreaterThan(0);
    expect(applyPage(next, { ...pageOf(DEFAULT_VIEW, [user(3), user(2)]), lastEventId: next.lastEventId }, DEFAULT_VIEW, null).recheck).toBe(0);
  });

  it('keeps the state when an older page of the same view cannot be brought forward', () => {
    const start = initialDirectory(pageOf(DEFAULT_VIEW, [user(1)]), DEFAULT_VIEW, null);
    const tooOld = { ...pageOf(DEFAULT_VIEW, []), lastEventId: start.lastEventId - 10 };
    const live = applyEvent(start, created(user(3)));
    expect(applyPage(live, tooOld, DEFAULT_VIEW, null)).toBe(live);
    const otherView = applyPage(live, { ...tooOld, users: [user(8)] }, byName, null);
    expect(otherView.refill).toBeGreaterThan(0);
  });
});

describe('an import’s progress', () => {
  const job = (created: number): JobDTO => ({
    id: 'job-1',
    kind: 'import',
    state: 'running',
    fileName: 'staff.csv',
    principal: 'user:1',
    bytes: 100,
    bytesRead: 50,
    read: created,
    deleted: 0,
    restored: 0,
    created,
    updated: 0,
    unchanged: 0,
    failed: 0,
    error: null,
    createdAt: minute(0),
    startedAt: minute(0),
    finishedAt: null,
    reportUrl: '/api/jobs/job-1/report',
  });
  const progress = (created: number, updated = 0): HubEvent => {
    const id = ++eventId;
    return { type: 'users_imported', importId: 'job-1', upToEventId: id, created, updated, job: job(created), eventId: id };
  };

  it('asks for the visible page once per frame that changed users, and not for one that changed none', () => {
    const state = initialDirectory(pageOf(DEFAULT_VIEW, [user(1), user(2)]), DEFAULT_VIEW, null);
    const changed = applyEvent(state, progress(1_000));
    expect(changed.imported).toBeGreaterThan(state.imported);
    expect(changed.refill).toBe(0);
    expect(changed.users).toBe(state.users);
    expect(changed.lastEventId).toBe(eventId);
    const again = applyEvent(changed, progress(2_000));
    expect(again.imported).toBeGreaterThan(changed.imported);
    const none = applyEvent(again, progress(0));
    expect(none.imported).toBe(again.imported);
    expect(none.lastEventId).toBe(eventId);
  });

  it('takes the page that answers it as current, without asking again', () => {
    const state = applyEvent(initialDirectory(pageOf(DEFAULT_VIEW, [user(1)]), DEFAULT_VIEW, null), progress(10));
    const answered = applyPage(state, pageOf(DEFAULT_VIEW, [user(1), user(2)]), DEFAULT_VIEW, null);
    expect(ids(answered)).toEqual([2, 1]);
    expect(answered.imported).toBe(0);
    expect(answered.refill).toBe(0);
    expect(answered.recheck).toBe(0);
  });
});

describe('a search with more matches than the server counts', () => {
  const search: View = { ...DEFAULT_VIEW, q: 'user' };

  it('keeps saying "10,000+" through creates, edits and deletes, which it shows in the page all the same', () => {
    const users = range(1, PAGE_SIZE).map((id) => user(id));
    const state = initialDirectory(pageOf(search, users, { total: 10_000, totalIsExact: false, more: true }), search, null);
    const afterCreate = applyEvent(state, created(user(100)));
    expect(afterCreate).toMatchObject({ total: 10_000, totalIsExact: false });
    expect(afterCreate.users[0]?.id).toBe(100);
    const afterEdit = applyEvent(afterCreate, updated(user(100), { name: 'User 100 renamed' }));
    expect(afterEdit.users[0]?.name).toBe('User 100 renamed');
    const afterDelete = applyEvent(afterEdit, deleted(afterEdit.users[0] ?? user(100)));
    expect(afterDelete).toMatchObject({ total: 10_000, totalIsExact: false });
    expect(ids(afterDelete)).not.toContain(100);
  });

  it('turns an exact 10,000 into "10,000+" with one more match, as the server would', () => {
    const users = range(1, PAGE_SIZE).map((id) => user(id));
    const state = initialDirectory(pageOf(search, users, { total: 10_000, more: true }), search, null);
    expect(applyEvent(state, created(user(100)))).toMatchObject({ total: 10_000, totalIsExact: false });
  });
});
