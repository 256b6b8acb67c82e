// The directory's REST contract — GET /api/users views (search, sort, keyset pages, ETag),
// GET/PATCH /api/users/{id} and the events edits and deletes send — on the shared SQLite server and
// on a server of its own on PostgreSQL. The SQLite database is shared with other files, so each
// test puts a tag of its own in its users' names or emails and looks only at the view searching
// for it.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { encodeCursor } from '@/lib/shared/directory/cursor';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import {
  createUser,
  deleteUser,
  fetchPage,
  fetchUser,
  health,
  listPage,
  type PageQuery,
  patchUser,
  postUser,
  uniqueEmail,
} from '../support/api';
import { countUsers, idsOf, insertRows, runSql, type Store, uniqueTag, walkPages } from '../support/directory';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { type PostgresTestServer, startServer } from '../support/server';
import { servicesUp } from '../support/services';
import { type SseMessage, streamsFor } from '../support/sse';

type Target = { baseUrl: string; store: Store };
type ErrorBody = { error: string; fieldErrors?: Record<string, string[]>; user?: UserDTO };

const sqlite: Target = { baseUrl: inject('baseUrl'), store: { kind: 'sqlite', file: inject('databaseFile') } };
const postgresUp = await servicesUp('postgres');

type Spec = { name: string; email?: string };
/** One user for each spec, as a tuple of the same length. */
type Users<S extends readonly unknown[]> = { -readonly [K in keyof S]: UserDTO };

/** A spec for each word, as a tuple of the same length (so each user can be named). */
function specs<const W extends readonly string[]>(words: W, spec: (word: string) => Spec): { -readonly [K in keyof W]: Spec } {
  return words.map(spec) as unknown as { -readonly [K in keyof W]: Spec };
}

const payload = (message: SseMessage): unknown => JSON.parse(message.data);
const reversed = <T>(items: T[]): T[] => [...items].reverse();

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function cursorPayload(cursor: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
}

async function expectInvalid(response: Response, field: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(body.error).toBe('Invalid input');
  expect(Object.keys(body.fieldErrors ?? {})).toEqual([field]);
  expect(body.fieldErrors?.[field]?.[0]).toEqual(expect.any(String));
}

async function errorOf(response: Response): Promise<ErrorBody> {
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as ErrorBody;
  expect(body.error).toEqual(expect.any(String));
  return body;
}

/** The tests, against whichever server `target` gives once the describe's beforeAll has run. */
function directoryContract(target: () => Target) {
  const url = () => target().baseUrl;
  const streams = streamsFor(url);

  /** Creates users one after another, so their ids (and createdAt) ascend in this order. */
  async function make<const S extends readonly Spec[]>(specs: S): Promise<Users<S>> {
    const users: UserDTO[] = [];
    for (const spec of specs) users.push(await createUser(url(), spec.name, spec.email ?? uniqueEmail('dir')));
    return users as unknown as Users<S>;
  }

  const view = (tag: string, query: Omit<PageQuery, 'q'> = {}) => listPage(url(), { q: tag, limit: 200, ...query });

  describe('search (q)', () => {
    it('finds users whose name or email contains it, ignoring case, and counts them', async () => {
      const tag = uniqueTag();
      const [byName, byEmail, both] = await make([
        { name: `Ann ${tag.toUpperCase()}` },
        { name: 'Nobody Special', email: `x.${tag}@example.com` },
        { name: `${tag} Both`, email: `${tag}.both@example.com` },
      ]);
      await make([
        { name: `Near ${tag.slice(0, -1)}` },
        // Name and email are searched apart: no match across the two.
        { name: `Split ${tag.slice(0, 6)}`, email: `${tag.slice(6)}.split@example.com` },
      ]);
      const newestFirst = idsOf([both, byEmail, byName]);

      for (const q of [tag, tag.toUpperCase(), `  ${tag} `, `\t${tag}\n`, `${tag.slice(0, 4)}\u0007${tag.slice(4)}`]) {
        const page = await listPage(url(), { q });
        expect(idsOf(page.users), JSON.stringify(q)).toEqual(newestFirst);
        expect(page.total).toBe(3);
        expect(page.nextCursor).toBeNull();
        expect(page.prevCursor).toBeNull();
      }
      expect((await listPage(url(), { q: `${tag} both` })).users).toEqual([both]);
      expect(await listPage(url(), { q: `${tag}zz` })).toMatchObject({ users: [], total: 0, nextCursor: null, prevCursor: null });
    });

    it('counts all users without counting rows: the total the triggers keep follows creates, deletes and rows written behind the app', async () => {
      const tag = uniqueTag();
      const made = await Promise.all(Array.from({ length: 8 }, (_, i) => createUser(url(), `Counted ${i} ${tag}`, uniqueEmail('counted'))));
      await Promise.all(made.slice(0, 3).map(async (user) => expect((await deleteUser(url(), user.id)).status).toBe(204)));
      await insertRows(
        target().store,
        [1, 2].map((n) => ({ name: `Inserted ${n} ${tag}`, email: `${tag}.${n}@example.com`, createdAt: '2004-04-04T04:04:04.000Z' })),
      );
      const counted = await countUsers(target().store);
      expect(counted.kept).toBe(counted.rows);
      expect((await listPage(url(), { limit: 1 })).total).toBe(counted.rows);
      expect((await view(tag)).total).toBe(7);
      // The total is that row, read: no page counts the table.
      await runSql(target().store, 'UPDATE "UserCount" SET "count" = "count" + 1000 WHERE "id" = 1');
      try {
        expect((await listPage(url(), { limit: 1 })).total).toBe(counted.rows + 1000);
      } finally {
        await runSql(target().store, 'UPDATE "UserCount" SET "count" = "count" - 1000 WHERE "id" = 1');
      }
    });

    it('treats %, _ and \\ as themselves, not as wildcards or escapes', async () => {
      const tag = uniqueTag();
      const [percent, underscore, backslash, escaped, mailUnderscore] = await make([
        { name: `100% ${tag}` },
        { name: `a_b ${tag}` },
        { name: `x\\y ${tag}` },
        { name: `50\\% ${tag}` },
        { name: 'Mail Underscore', email: `${tag}_m@example.com` },
      ]);
      // What each would also match if it were a LIKE pattern.
      await make([
        { name: `100x ${tag}` },
        { name: `axb ${tag}` },
        { name: `xy ${tag}` },
        { name: `9% ${tag}` },
        { name: 'Mail Other', email: `${tag}xm@example.com` },
      ]);

      const found = async (q: string) => (await listPage(url(), { q })).users;
      expect(await found(`0% ${tag}`)).toEqual([percent]);
      expect(await found(`a_b ${tag}`)).toEqual([underscore]);
      expect(await found(`x\\y ${tag}`)).toEqual([backslash]);
      expect(await found(`\\% ${tag}`)).toEqual([escaped]);
      expect(await found(`${tag}_m`)).toEqual([mailUnderscore]);
      expect((await listPage(url(), { q: tag })).total).toBe(10);
    });

    it('is no filter when it is only spaces or control characters', async () => {
      const all = await listPage(url(), { limit: 1 });
      for (const q of ['   ', '\t\u0001']) {
        const page = await listPage(url(), { q, limit: 1 });
        expect(page.total).toBe(all.total);
        expect(page.users).toEqual(all.users);
      }
    });

    it('accepts 100 characters and refuses 101 with 400', async () => {
      expect((await fetchPage(url(), { q: 'é'.repeat(100) })).status).toBe(200);
      await expectInvalid(await fetchPage(url(), { q: 'x'.repeat(101) }), 'q');
    });
  });

  describe('sort and order', () => {
    it('sorts by name ignoring case, by code point, ties by id in the same direction', async () => {
      const tag = uniqueTag();
      const [bob, Ann, ann, BOB, Emile, zed, ANN] = await make(specs(['bob', 'Ann', 'ann', 'BOB', 'Émile', 'zed', 'ANN'], (first) => ({ name: `${first} ${tag}` })));
      // 'é' (U+00E9) comes after 'z' by code point, whatever a locale would say.
      const ascending = idsOf([Ann, ann, ANN, bob, BOB, zed, Emile]);

      expect(idsOf((await view(tag, { sort: 'name', order: 'asc' })).users)).toEqual(ascending);
      expect(idsOf((await view(tag, { sort: 'name', order: 'desc' })).users)).toEqual(reversed(ascending));
      // The order defaults to descending.
      expect(idsOf((await view(tag, { sort: 'name' })).users)).toEqual(reversed(ascending));
    });

    it('sorts by email by code point (- . 0 _ a), both ways', async () => {
      const tag = uniqueTag();
      const [a, underscore, z, dash, zero, dot] = await make(
        specs(['a', '_b', 'Z', '-a', '0', '.c'], (suffix) => ({ name: `Mail ${suffix}`, email: `${tag}${suffix}@example.com` })),
      );
      const ascending = idsOf([dash, dot, zero, underscore, a, z]);

      const up = await view(tag, { sort: 'email', order: 'asc' });
      expect(idsOf(up.users)).toEqual(ascending);
      expect(up.users.map((user) => user.email)).toContain(`${tag}z@example.com`);
      expect(idsOf((await view(tag, { sort: 'email', order: 'desc' })).users)).toEqual(reversed(ascending));
    });

    it('sorts by createdAt (the default, newest first), ties by id in the same direction', async () => {
      const tag = uniqueTag();
      const [older, newer] = ['2001-02-03T04:05:06.789Z', '2002-02-03T04:05:06.789Z'];
      const specs = [newer, older, newer, older].map((createdAt, i) => ({ name: `Stamp ${i} ${tag}`, email: `${tag}.${i}@example.com`, createdAt }));
      const [n1, o1, n2, o2] = await insertRows(target().store, specs);
      const [now] = await make([{ name: `Now ${tag}` }]);
      const ascending = [o1, o2, n1, n2, now.id];

      const up = await view(tag, { sort: 'createdAt', order: 'asc' });
      expect(idsOf(up.users)).toEqual(ascending);
      expect(up.users.slice(0, 2).map((user) => user.createdAt)).toEqual([older, older]);
      expect(idsOf((await view(tag, { sort: 'createdAt', order: 'desc' })).users)).toEqual(reversed(ascending));
      expect(idsOf((await view(tag)).users)).toEqual(reversed(ascending));
    });

    it.each(['foo', 'NAME', 'id'])('refuses sort=%s with 400', async (sort) => {
      await expectInvalid(await fetchPage(url(), { sort }), 'sort');
    });

    it.each(['up', 'ASC', 'descending'])('refuses order=%s with 400', async (order) => {
      await expectInvalid(await fetchPage(url(), { order }), 'order');
    });
  });

  describe('keyset pages', () => {
    it('walks every sort both ways, two rows a page, ties included, never skipping or repeating a row', async () => {
      const tag = uniqueTag();
      const stamp = '2003-03-03T03:03:03.333Z';
      await insertRows(
        target().store,
        ['Tie', 'TIE', 'tie', 'Other'].map((first, i) => ({ name: `${first} ${tag}`, email: `${tag}.${i}@example.com`, createdAt: stamp })),
      );
      await make([{ name: `tie ${tag} later` }, { name: `Émile ${tag}` }, { name: `Tie ${tag}` }]);

      for (const sort of ['name', 'email', 'createdAt']) {
        for (const order of ['asc', 'desc']) {
          const label = `${sort} ${order}`;
          const all = (await view(tag, { sort, order })).users;
          expect(all).toHaveLength(7);
          const { forward, backward } = await walkPages(url(), { q: tag, sort, order }, 2);

          expect(forward.map((page) => page.users.length), label).toEqual([2, 2, 2, 1]);
          expect(forward.flatMap((page) => page.users), label).toEqual(all);
          expect(backward.map((page) => idsOf(page.users)), label).toEqual(reversed(forward.map((page) => idsOf(page.users))));
          expect(forward[0]?.prevCursor, label).toBeNull();
          expect(backward.at(-1)?.prevCursor, label).toBeNull();
          expect(backward.at(-1)?.nextCursor, label).toBe(forward[0]?.nextCursor);
          for (const page of forward) expect(page.total).toBe(7);
        }
      }
    });

    it('keeps a page in place while rows are added before it or its anchor row is deleted', async () => {
      const tag = uniqueTag();
      const [u1, u2, u3, u4, u5] = await make(specs(['1', '2', '3', '4', '5'], (n) => ({ name: `Page ${n} ${tag}` })));
      const first = await listPage(url(), { q: tag, limit: 2 });
      expect(first.users).toEqual([u5, u4]);
      expect(first.total).toBe(5);
      expect(first.prevCursor).toBeNull();
      const second = await listPage(url(), { q: tag, limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.users).toEqual([u3, u2]);
      const last = await listPage(url(), { q: tag, limit: 2, cursor: second.nextCursor ?? '' });
      expect(last).toMatchObject({ users: [u1], nextCursor: null, total: 5 });
      const backToFirst = await listPage(url(), { q: tag, limit: 2, cursor: second.prevCursor ?? '' });
      expect(backToFirst).toEqual(first);

      const [u6, u7] = await make(specs(['6', '7'], (n) => ({ name: `Page ${n} ${tag}` })));
      const secondAgain = await listPage(url(), { q: tag, limit: 2, cursor: first.nextCursor ?? '' });
      expect(secondAgain.users).toEqual([u3, u2]);
      expect(secondAgain.total).toBe(7);
      const before = await listPage(url(), { q: tag, limit: 2, cursor: secondAgain.prevCursor ?? '' });
      expect(before.users).toEqual([u5, u4]);
      expect(before.prevCursor).not.toBeNull();
      const newest = await listPage(url(), { q: tag, limit: 2, cursor: before.prevCursor ?? '' });
      expect(newest).toMatchObject({ users: [u7, u6], prevCursor: null });

      expect((await deleteUser(url(), u4.id)).status).toBe(204);
      const afterDelete = await listPage(url(), { q: tag, limit: 2, cursor: first.nextCursor ?? '' });
      expect(afterDelete.users).toEqual([u3, u2]);
      expect(afterDelete.total).toBe(6);
    });

    it('answers "Previous" back to the start of the view with the first page, full even when rows before its anchor were deleted', async () => {
      const tag = uniqueTag();
      const [, , u3, u4, u5] = await make(specs(['1', '2', '3', '4', '5'], (n) => ({ name: `Start ${n} ${tag}` })));
      const first = await listPage(url(), { q: tag, limit: 2 });
      const second = await listPage(url(), { q: tag, limit: 2, cursor: first.nextCursor ?? '' });
      expect(second.users[0]).toEqual(u3);
      expect((await deleteUser(url(), u4.id)).status).toBe(204);
      const back = await listPage(url(), { q: tag, limit: 2, cursor: second.prevCursor ?? '' });
      expect(back).toEqual(await listPage(url(), { q: tag, limit: 2 }));
      expect(back).toMatchObject({ users: [u5, u3], prevCursor: null });
    });

    it('pages past rows whose sort keys are long and not ASCII', async () => {
      const tag = uniqueTag();
      const long = (unit: string) => `${unit.repeat(Math.floor((100 - tag.length - 1) / unit.length))} ${tag}`;
      const users = await make(['İ', '😀', 'ß', '"\\', '\u2028'].map((unit) => ({ name: long(unit) })));
      expect(users.every((user) => user.name.length <= 100)).toBe(true);

      for (const order of ['asc', 'desc']) {
        const all = (await view(tag, { sort: 'name', order })).users;
        const { forward, backward } = await walkPages(url(), { q: tag, sort: 'name', order }, 1);
        expect(forward.flatMap((page) => page.users)).toEqual(all);
        expect(backward.flatMap((page) => page.users)).toEqual(reversed(all));
      }
    });

    it('answers 1 to 200 rows a page, and 400 to any other limit', async () => {
      const tag = uniqueTag();
      await make([1, 2, 3].map((n) => ({ name: `Limit ${n} ${tag}` })));

      const one = await listPage(url(), { q: tag, limit: 1 });
      expect(one.users).toHaveLength(1);
      expect(one.nextCursor).not.toBeNull();
      expect((await listPage(url(), { q: tag, limit: 200 })).users).toHaveLength(3);
      // An empty limit is no limit: the default (50).
      expect((await listPage(url(), { q: tag, limit: '' })).users).toHaveLength(3);
      const full = await listPage(url(), { limit: 200 });
      expect(full.users.length).toBe(Math.min(full.total, 200));
      for (const limit of ['0', '201', 'abc', '1.5', '-1', '1e3']) await expectInvalid(await fetchPage(url(), { q: tag, limit }), 'limit');
    });

    it('refuses a cursor it did not make for this view with 400', async () => {
      const tag = uniqueTag();
      await make([1, 2].map((n) => ({ name: `Cursor ${n} ${tag}` })));
      const cursor = (await listPage(url(), { q: tag, limit: 1 })).nextCursor ?? '';
      const fields = cursorPayload(cursor);
      expect(fields).toMatchObject({ s: 'createdAt', o: 'desc', d: 'after' });
      const forged = (changes: Record<string, unknown>) => base64url(JSON.stringify({ ...fields, ...changes }));
      const nameCursor = (await listPage(url(), { q: tag, sort: 'name', order: 'asc', limit: 1 })).nextCursor ?? '';

      const refused: [string, PageQuery][] = [
        ['not base64url', { cursor: 'not a cursor!' }],
        ['padded base64', { cursor: `${cursor}=` }],
        ['not JSON', { cursor: base64url('hello') }],
        ['truncated', { cursor: cursor.slice(0, -4) }],
        ['one character changed', { cursor: `${cursor.slice(0, 2)}${cursor[2] === 'A' ? 'B' : 'A'}${cursor.slice(3)}` }],
        ['an extra field', { cursor: forged({ x: 1 }) }],
        ['a time that is not one', { cursor: forged({ k: 'yesterday' }) }],
        ['id 0', { cursor: forged({ i: 0 }) }],
        ['an id past 2^31-1', { cursor: forged({ i: 2 ** 31 }) }],
        ['an id that is text', { cursor: forged({ i: '1' }) }],
        ['another direction', { cursor: forged({ d: 'around' }) }],
        ['a key of 601 characters', { cursor: forged({ k: 'x'.repeat(601) }) }],
        ['more than 1,000 characters', { cursor: 'A'.repeat(1_001) }],
        ['made for sort=name', { cursor: nameCursor }],
        ['made for sort=name, used with order=desc', { sort: 'name', order: 'desc', cursor: nameCursor }],
        ['made for order=desc, used with order=asc', { order: 'asc', cursor }],
      ];
      for (const [label, query] of refused) {
        const response = await fetchPage(url(), { q: tag, limit: 1, ...query });
        expect(response.status, label).toBe(400);
        await expectInvalid(response, 'cursor');
      }
      // The one it made is fine, as is the one made for the name view there.
      expect((await fetchPage(url(), { q: tag, limit: 1, cursor })).status).toBe(200);
      expect((await fetchPage(url(), { q: tag, limit: 1, sort: 'name', order: 'asc', cursor: nameCursor })).status).toBe(200);
    });

    it('answers an empty page, not an error, past the last row', async () => {
      const tag = uniqueTag();
      const [only] = await make([{ name: `Only ${tag}` }]);
      const cursor = encodeCursor({ sort: 'createdAt', order: 'desc' }, 'after', only);
      expect(await listPage(url(), { q: tag, cursor })).toMatchObject({ users: [], total: 1, nextCursor: null });
    });
  });

  describe('ETag and X-Last-Event-Id', () => {
    it('tags a view with the last event id, answers 304 until any write, then 200 with a new tag', async () => {
      const tag = uniqueTag();
      const [user] = await make([{ name: `Etag ${tag}` }]);
      const query = { q: tag, sort: 'name', order: 'asc' };

      const first = await fetchPage(url(), query);
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag') ?? '';
      const [, eventId] = /^"(\d+)-[\w-]+"$/.exec(etag) ?? [];
      expect(eventId).toBe(first.headers.get('x-last-event-id'));
      expect(first.headers.get('cache-control')).toBe('no-cache');
      expect(((await first.json()) as PageDTO).lastEventId).toBe(Number(eventId));

      // A 304 is decided from the view and the last event id: no row is read (or hashed).
      const readsBefore = (await health(url())).pageReads;
      const notModified = await fetchPage(url(), query, { headers: { 'If-None-Match': etag } });
      expect(notModified.status).toBe(304);
      expect((await health(url())).pageReads).toBe(readsBefore);
      expect(notModified.headers.get('etag')).toBe(etag);
      expect(notModified.headers.get('x-last-event-id')).toBe(eventId);
      expect(await notModified.text()).toBe('');

      // A proxy that compressed the answer hands the browser a weak tag; a cache may send a list.
      for (const header of [`W/${etag}`, `"other", ${etag}`]) {
        const again = await fetchPage(url(), query, { headers: { 'If-None-Match': header } });
        expect(again.status, header).toBe(304);
        await again.arrayBuffer();
      }

      // The same view however it is spelled; another view, another tag.
      const respelled = await fetchPage(url(), { order: 'asc', limit: '50', sort: 'name', q: tag });
      expect(respelled.headers.get('etag')).toBe(etag);
      await respelled.arrayBuffer();
      for (const other of [{ ...query, order: 'desc' }, { ...query, limit: 10 }, { ...query, q: `${tag}x` }]) {
        const response = await fetchPage(url(), other, { headers: { 'If-None-Match': etag } });
        expect(response.status).toBe(200);
        expect(response.headers.get('etag')).not.toBe(etag);
        await response.arrayBuffer();
      }

      // A write outside the view moves the tag's event id, and the page is read again; its rows are
      // what the tag says, so the answer is a 304 with the new tag. A write inside it: a 200.
      let current = etag;
      const writes: [string, () => Promise<Response>][] = [
        ['create elsewhere', () => postUser(url(), { name: 'Elsewhere', email: uniqueEmail('elsewhere') })],
        ['edit', () => patchUser(url(), user.id, { name: `Edited ${tag}` }, user.version)],
        ['delete', () => deleteUser(url(), user.id)],
      ];
      for (const [label, write] of writes) {
        expect((await write()).ok, label).toBe(true);
        const changed = await fetchPage(url(), query, { headers: { 'If-None-Match': current } });
        const next = changed.headers.get('etag') ?? '';
        expect(next, label).not.toBe(current);
        expect(Number(changed.headers.get('x-last-event-id')), label).toBe(Number(/^"(\d+)-/.exec(current)?.[1]) + 1);
        if (label === 'create elsewhere') {
          expect(changed.status, label).toBe(304);
          expect(next.slice(next.indexOf('-')), label).toBe(current.slice(current.indexOf('-')));
          current = next;
          continue;
        }
        expect(changed.status, label).toBe(200);
        const page = (await changed.json()) as PageDTO;
        expect(page.users.map((u) => u.name), label).toEqual(label === 'delete' ? [] : label === 'edit' ? [`Edited ${tag}`] : [`Etag ${tag}`]);
        current = next;
      }
    });
  });

  describe('GET /api/users/{id}', () => {
    it('answers the user with its version as ETag, and 304 to If-None-Match with it', async () => {
      const [user] = await make([{ name: 'Single' }]);
      const response = await fetchUser(url(), user.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"1"');
      expect(await response.json()).toEqual(user);

      const notModified = await fetchUser(url(), user.id, { headers: { 'If-None-Match': '"1"' } });
      expect(notModified.status).toBe(304);
      expect(await notModified.text()).toBe('');

      expect((await patchUser(url(), user.id, { name: 'Single Edited' }, 1)).status).toBe(200);
      const changed = await fetchUser(url(), user.id, { headers: { 'If-None-Match': '"1"' } });
      expect(changed.status).toBe(200);
      expect(changed.headers.get('etag')).toBe('"2"');
      expect(await changed.json()).toMatchObject({ id: user.id, name: 'Single Edited', version: 2 });
    });

    it.each(['2000000000', 'abc', '0', '-1', '1.5', '99999999999'])('answers 404 to the id %s', async (id) => {
      const response = await fetchUser(url(), id);
      expect(response.status).toBe(404);
      await errorOf(response);
    });
  });

  describe('PATCH /api/users/{id}', () => {
    it('changes the name at the version named in If-Match, raising the version, and the views follow', async () => {
      const tag = uniqueTag();
      const [user] = await make([{ name: `Before ${tag}` }]);
      await new Promise((resolve) => setTimeout(resolve, 5)); // so the edit's updatedAt is a later millisecond

      const response = await patchUser(url(), user.id, { name: `  Zed After ${tag} ` }, user.version);
      expect(response.status).toBe(200);
      expect(response.headers.get('etag')).toBe('"2"');
      const edited = (await response.json()) as UserDTO;
      expect(edited).toEqual({ ...user, name: `Zed After ${tag}`, version: 2, updatedAt: edited.updatedAt });
      expect(Date.parse(edited.updatedAt)).toBeGreaterThan(Date.parse(user.updatedAt));
      expect(edited.createdAt).toBe(user.createdAt);
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(edited);

      // Its search and sort keys changed with it.
      expect((await listPage(url(), { q: `zed after ${tag}` })).users).toEqual([edited]);
      expect((await listPage(url(), { q: `before ${tag}` })).users).toEqual([]);
      const [other] = await make([{ name: `Mid ${tag}` }]);
      expect(idsOf((await view(tag, { sort: 'name', order: 'asc' })).users)).toEqual([other?.id, user.id]);
    });

    it('changes the email (normalised), or both, and accepts a weak tag and its own email in another case', async () => {
      const [user] = await make([{ name: 'Mailer' }]);
      const email = uniqueEmail('changed');

      const byEmail = await patchUser(url(), user.id, { email: `  ${email.toUpperCase()} ` }, 'W/"1"');
      expect(byEmail.status).toBe(200);
      expect(await byEmail.json()).toMatchObject({ name: 'Mailer', email, version: 2 });

      const same = await patchUser(url(), user.id, { email: email.toUpperCase() }, 2);
      expect(same.status).toBe(200);
      expect(await same.json()).toMatchObject({ email, version: 3 });

      const other = uniqueEmail('both');
      const both = await patchUser(url(), user.id, { name: 'Mailer Two', email: other }, 3);
      expect(both.status).toBe(200);
      expect(await both.json()).toMatchObject({ name: 'Mailer Two', email: other, version: 4 });
      expect((await listPage(url(), { q: other })).users.map((u) => u.id)).toEqual([user.id]);
    });

    it('answers 428 without If-Match and 412, with the user as it is, to a stale version; changes nothing', async () => {
      const [user] = await make([{ name: 'Guarded' }]);
      const current = (await (await patchUser(url(), user.id, { name: 'Guarded Twice' }, 1)).json()) as UserDTO;

      const unconditional = await patchUser(url(), user.id, { name: 'No Precondition' }, null);
      expect(unconditional.status).toBe(428);
      await errorOf(unconditional);
      expect((await patchUser(url(), user.id, { name: 'Blank Precondition' }, '  ')).status).toBe(428);

      for (const stale of [1, 3, '"abc"', '*']) {
        const response = await patchUser(url(), user.id, { name: 'Lost Update' }, stale);
        expect(response.status, String(stale)).toBe(412);
        expect(response.headers.get('etag')).toBe('"2"');
        expect((await errorOf(response)).user).toEqual(current);
      }
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(current);
    });

    it('lets exactly one of several edits at the same version win; the rest get 412', async () => {
      const [user] = await make([{ name: 'Contested' }]);
      const responses = await Promise.all([1, 2, 3, 4, 5].map((n) => patchUser(url(), user.id, { name: `Contender ${n}` }, 1)));
      const statuses = responses.map((response) => response.status).sort();
      expect(statuses).toEqual([200, 412, 412, 412, 412]);
      const winner = (await responses.find((response) => response.status === 200)?.json()) as UserDTO;
      for (const response of responses.filter((r) => r.status === 412)) expect((await errorOf(response)).user).toEqual(winner);
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(winner);
      expect(winner.version).toBe(2);
    });

    it('answers 409 to another user’s email in any case, and keeps both', async () => {
      const [first, second] = await make([{ name: 'Owner' }, { name: 'Taker' }]);
      const response = await patchUser(url(), second.id, { email: first.email.toUpperCase() }, 1);
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: 'Conflict', fieldErrors: { email: ['A user with this email already exists'] } });
      expect(await (await fetchUser(url(), second.id)).json()).toEqual(second);
    });

    it.each([
      ['no field', {}, ['form']],
      ['an unknown field', { name: 'Ada', nickname: 'Countess' }, ['form']],
      ['the version in the body', { name: 'Ada', version: 9 }, ['form']],
      ['an empty name', { name: '  ' }, ['name']],
      ['a name of 101 characters', { name: 'x'.repeat(101) }, ['name']],
      ['a name with a control character', { name: 'Ada\u0007' }, ['name']],
      ['an invalid email', { email: 'ada-at-example.com' }, ['email']],
      ['a null name', { name: null }, ['name']],
      ['a JSON array', [], ['form']],
      ['text that is not JSON', '{"name":', ['form']],
    ])('answers 400 to %s and changes nothing', async (_case, body, fields) => {
      const [user] = await make([{ name: 'Unchanged' }]);
      const response = await patchUser(url(), user.id, body, 1);
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.error).toBe('Invalid input');
      expect(Object.keys(error.fieldErrors ?? {}).sort()).toEqual(fields);
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(user);
    });

    it.each(['2000000000', 'abc', '0'])('answers 404 to the id %s', async (id) => {
      const response = await patchUser(url(), id, { name: 'Nobody' }, 1);
      expect(response.status).toBe(404);
      await errorOf(response);
    });

    it('answers 413 to a body over 10 KB and changes nothing', async () => {
      const [user] = await make([{ name: 'Not Too Big' }]);
      const response = await patchUser(url(), user.id, { name: 'x'.repeat(11 * 1024) }, 1);
      expect(response.status).toBe(413);
      await errorOf(response);
      expect(await (await fetchUser(url(), user.id)).json()).toEqual(user);
    });
  });

  describe('events', () => {
    it('sends user_updated with the user after and before an edit, nothing for a refused one, and user_deleted with the user as it was', async () => {
      const { client, lastEventId } = await streams.open();
      const [user] = await make([{ name: 'Streamed Edit' }]);
      const created = await client.next();
      expect([created.event, payload(created)]).toEqual(['user_created', user]);

      const edited = (await (await patchUser(url(), user.id, { name: 'Streamed Edited' }, 1)).json()) as UserDTO;
      const updated = await client.next();
      expect(updated.event).toBe('user_updated');
      expect(payload(updated)).toEqual({ user: edited, previous: user });
      expect(Number(updated.id)).toBe(lastEventId + 2);

      // Refused edits announce nothing: the next event is the delete.
      expect((await patchUser(url(), user.id, { name: 'Stale' }, 1)).status).toBe(412);
      expect((await patchUser(url(), user.id, { name: 'Unconditional' }, null)).status).toBe(428);
      expect((await patchUser(url(), user.id, { name: '' }, 2)).status).toBe(400);
      expect((await patchUser(url(), 2_000_000_000, { name: 'Nobody' }, 1)).status).toBe(404);
      const [owner] = await make([{ name: 'Email Owner' }]);
      expect((await client.next()).event).toBe('user_created');
      expect((await patchUser(url(), user.id, { email: owner.email }, 2)).status).toBe(409);

      expect((await deleteUser(url(), user.id)).status).toBe(204);
      const deleted = await client.next();
      expect(deleted.event).toBe('user_deleted');
      expect(payload(deleted)).toEqual({ id: user.id, user: edited });
      expect(Number(deleted.id)).toBe(lastEventId + 4);
    });

    it('sends one user_updated for a contested edit', async () => {
      const [user] = await make([{ name: 'Contested Stream' }]);
      const { client, lastEventId } = await streams.open();
      const responses = await Promise.all([1, 2, 3].map((n) => patchUser(url(), user.id, { name: `Racer ${n}` }, 1)));
      const winner = (await responses.find((response) => response.status === 200)?.json()) as UserDTO;
      const marker = await createUser(url(), 'After The Race');

      const [update, next] = [await client.next(), await client.next()];
      expect([update.event, payload(update)]).toEqual(['user_updated', { user: winner, previous: user }]);
      expect([next.event, payload(next), Number(next.id)]).toEqual(['user_created', marker, lastEventId + 2]);
    });
  });
}

describe('the directory API on SQLite (the shared server)', () => {
  directoryContract(() => sqlite);
});

describe.skipIf(!postgresUp)('the directory API on PostgreSQL', () => {
  let database: TestDatabase;
  let server: PostgresTestServer;

  beforeAll(async () => {
    database = await freshDatabase('directory');
    server = await startServer({ databaseUrl: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  directoryContract(() => ({ baseUrl: server.url, store: { kind: 'postgres', url: database.url } }));
});
