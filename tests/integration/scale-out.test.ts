// Several production instances on one fresh PostgreSQL database and one Redis behave as one app:
// a change made on any instance reaches subscribers on every instance, and a client may reconnect
// to any instance — even after the one it was on died with kill -9 — and miss nothing.
import { afterAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, fetchPage, fetchUser, health, listPage, listUsers, patchUser } from '../support/api';
import { twoInstances } from '../support/instances';
import { exited, type PostgresTestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { SseClient, type SseMessage } from '../support/sse';

const up = await servicesUp('postgres', 'redis');

/** The next `count` messages after `connected`, as [event, payload]. */
async function take(client: SseClient, count: number): Promise<[string, unknown][]> {
  const taken: SseMessage[] = [];
  while (taken.length < count) {
    const message = await client.next();
    if (message.event !== 'connected') taken.push(message);
  }
  return taken.map((message) => [message.event, JSON.parse(message.data)]);
}

/** Reads until the event for `user`, returning its id (what EventSource would send as Last-Event-ID). */
async function idOf(client: SseClient, user: UserDTO): Promise<string> {
  for (;;) {
    const message = await client.next();
    if (message.event === 'user_created' && (JSON.parse(message.data) as UserDTO).id === user.id) return message.id ?? '';
  }
}

/** Nothing more arrives within a moment: no duplicate, no stray event. */
async function expectNothingMore(client: SseClient) {
  await expect(client.next(300)).rejects.toThrow('No event within 300 ms');
}

describe.skipIf(!up)('two instances on PostgreSQL and Redis', () => {
  const two = twoInstances('scale_out');
  const clients: SseClient[] = [];
  const subscribe = async (server: { url: string }, lastEventId?: string) => {
    const client = await SseClient.connect(`${server.url}/events`, lastEventId ? { 'Last-Event-ID': lastEventId } : {});
    clients.push(client);
    return client;
  };

  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('delivers a user created on A to a subscriber on B, and B lists it', async () => {
    const onB = await subscribe(two.b);
    const user = await createUser(two.a.url, 'Across Ada');

    expect(await take(onB, 1)).toEqual([['user_created', user]]);
    expect(await listUsers(two.b.url)).toContainEqual(user);
    await expectNothingMore(onB);
  });

  it('tags a view alike on every instance: A’s tag gets a 304 from B without reading a row, until a write on either', async () => {
    await createUser(two.a.url, 'Tagged Across');
    const query = { sort: 'name', order: 'asc', limit: 20 };
    const onA = await fetchPage(two.a.url, query);
    const tag = onA.headers.get('etag') ?? '';
    await onA.arrayBuffer();
    const ask = async (server: PostgresTestServer, ifNoneMatch: string) => {
      const response = await fetchPage(server.url, query, { headers: { 'If-None-Match': ifNoneMatch } });
      await response.arrayBuffer();
      return response;
    };
    // B hears of A's write through Redis within moments; from then on its tag is A's.
    const onB = await eventually(() => ask(two.b, tag), (response) => response.status === 304);
    expect(onB.status).toBe(304);
    expect(onB.headers.get('etag')).toBe(tag);
    const readsBefore = (await health(two.b.url)).pageReads;
    for (let i = 0; i < 5; i++) expect((await ask(two.b, tag)).status).toBe(304);
    expect((await health(two.b.url)).pageReads).toBe(readsBefore);

    await createUser(two.b.url, 'Tagged Again');
    const changed = await eventually(() => ask(two.a, tag), (response) => response.status === 200);
    expect(changed.status).toBe(200);
    expect((await ask(two.b, changed.headers.get('etag') ?? '')).status).toBe(304);
  });

  it('lets an edit on one instance win over a stale one on the other, and both instances announce it alike', async () => {
    const onA = await subscribe(two.a);
    const onB = await subscribe(two.b);
    const user = await createUser(two.a.url, 'Edited Across');
    expect(await take(onB, 1)).toEqual([['user_created', user]]);

    const responses = await Promise.all([
      patchUser(two.a.url, user.id, { name: 'Edited On A' }, 1),
      patchUser(two.b.url, user.id, { name: 'Edited On B' }, 1),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 412]);
    const edited = (await responses.find((response) => response.status === 200)?.json()) as UserDTO;
    expect(await (await fetchUser(two.b.url, user.id)).json()).toEqual(edited);
    expect((await listPage(two.a.url, { q: edited.name })).users).toEqual([edited]);

    expect((await deleteUser(two.b.url, user.id)).status).toBe(204);
    const expected = [
      ['user_updated', { user: edited, previous: user }],
      ['user_deleted', { id: user.id, user: edited }],
    ];
    expect(await take(onB, 2)).toEqual(expected);
    expect(await take(onA, 3)).toEqual([['user_created', user], ...expected]);
    await expectNothingMore(onA);
    await expectNothingMore(onB);
  });

  it('gives a subscriber of B that reconnects to A with its last id exactly what it missed', async () => {
    const onB = await subscribe(two.b);
    const seen = await createUser(two.a.url, 'Seen Sue');
    const lastEventId = await idOf(onB, seen);
    onB.close();

    // Missed while away, written on both instances.
    const onBInstance = await createUser(two.b.url, 'Missed On B');
    expect((await deleteUser(two.a.url, seen.id)).status).toBe(204);
    const onAInstance = await createUser(two.a.url, 'Missed On A');

    const onA = await subscribe(two.a, lastEventId);
    expect(await take(onA, 3)).toEqual([
      ['user_created', onBInstance],
      ['user_deleted', { id: seen.id, user: seen }],
      ['user_created', onAInstance],
    ]);
    const live = await createUser(two.b.url, 'Live Again');
    expect(await take(onA, 1)).toEqual([['user_created', live]]);
    await expectNothingMore(onA);
  });

  it('loses nothing for a client that moves to B with its last id after its instance is killed (kill -9)', async () => {
    const doomed = await two.instance();
    const onDoomed = await subscribe(doomed);
    const seen = await createUser(doomed.url, 'Before The Crash');
    const lastEventId = await idOf(onDoomed, seen);

    // Published by the doomed instance, which dies before its client could be sure of them.
    const inFlight = [await createUser(doomed.url, 'In Flight 1'), await createUser(doomed.url, 'In Flight 2')];
    doomed.child.kill('SIGKILL');
    await exited(doomed.child);
    const afterCrash = await createUser(two.b.url, 'After The Crash');

    const onB = await subscribe(two.b, lastEventId);
    expect(await take(onB, 3)).toEqual([...inFlight, afterCrash].map((user) => ['user_created', user]));
    await expectNothingMore(onB);
    expect((await listUsers(two.a.url)).map((user) => user.id)).toEqual(expect.arrayContaining([...inFlight, afterCrash].map((user) => user.id)));
    await doomed.stop();
  });
});
