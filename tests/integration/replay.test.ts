// Reconnecting to GET /events with the last id seen: what a browser that lost its connection gets back.
import { describe, expect, inject, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, health, patchUser } from '../support/api';
import { type SseClient, type SseMessage, streamsFor } from '../support/sse';
import { SERVES } from '../support/server';

describe.each(SERVES)('GET /events after a disconnect (%s)', (serve) => {
  const { baseUrl } = inject('servers')[serve];
  const connect = streamsFor(baseUrl).open;

  /** Closes the client and waits until the server has let go of it. */
  async function disconnect(client: SseClient) {
    const before = (await health(baseUrl)).subscribers;
    client.close();
    await eventually(() => health(baseUrl), (h) => h.subscribers === before - 1);
  }

  async function createUsers(count: number, label: string): Promise<UserDTO[]> {
    const users: UserDTO[] = [];
    for (let i = 1; i <= count; i++) users.push(await createUser(baseUrl, `${label} ${i}`));
    return users;
  }

  /** Takes `count` messages and checks they are user_created for `users`, with consecutive ids after `after`. */
  async function expectCreated(client: SseClient, users: UserDTO[], after: number): Promise<SseMessage[]> {
    const messages: SseMessage[] = [];
    for (let i = 0; i < users.length; i++) messages.push(await client.next());
    expect(messages.map((m) => m.event)).toEqual(users.map(() => 'user_created'));
    expect(messages.map((m) => JSON.parse(m.data) as UserDTO)).toEqual(users);
    expect(messages.map((m) => Number(m.id))).toEqual(users.map((_, i) => after + 1 + i));
    return messages;
  }

  it.each([
    ['the Last-Event-ID header', (id: string) => ['', { 'Last-Event-ID': id }] as const],
    ['?lastEventId=', (id: string) => [`?lastEventId=${id}`, {}] as const],
  ])('replays exactly the missed events, in order, when given %s, then carries on live', async (_how, reconnectWith) => {
    const first = await connect();
    const seen = await expectCreated(first.client, await createUsers(2, 'Before'), first.lastEventId);
    const lastSeen = Number(seen.at(-1)?.id);
    await disconnect(first.client);

    const missed = await createUsers(4, 'Missed');

    const [query, headers] = reconnectWith(String(lastSeen));
    const again = await connect(query, headers);
    expect(again.lastEventId).toBe(lastSeen + missed.length);
    await expectCreated(again.client, missed, lastSeen);
    // Had anything been sent twice, it would come before the live event.
    const live = await createUsers(1, 'Live');
    await expectCreated(again.client, live, lastSeen + missed.length);
  });

  it('replays edits and deletes with the same payloads it sent live', async () => {
    const live = await connect();
    const [user] = await createUsers(1, 'Replayed Edit');
    const seen = await live.client.next();
    expect((await patchUser(baseUrl, user?.id ?? 0, { name: 'Replayed Edited' }, 1)).status).toBe(200);
    expect((await deleteUser(baseUrl, user?.id ?? 0)).status).toBe(204);
    const sentLive = [await live.client.next(), await live.client.next()];
    expect(sentLive.map((m) => m.event)).toEqual(['user_updated', 'user_deleted']);

    const again = await connect('', { 'Last-Event-ID': seen.id ?? '' });
    expect([await again.client.next(), await again.client.next()]).toEqual(sentLive);
  });

  it('prefers the header to the query, as an EventSource reconnecting to a URL with a stale id needs', async () => {
    const { client, lastEventId } = await connect();
    await expectCreated(client, await createUsers(1, 'Header'), lastEventId);
    await disconnect(client);

    const again = await connect(`?lastEventId=${lastEventId + 1}`, { 'Last-Event-ID': String(lastEventId) });
    const replayed = await again.client.next();
    expect(replayed.event).toBe('user_created');
    expect(Number(replayed.id)).toBe(lastEventId + 1);
  });

  it('replays nothing and sends no resync when the client is up to date', async () => {
    const { lastEventId } = await connect();
    const again = await connect(`?lastEventId=${lastEventId}`);

    const live = await createUsers(1, 'Up To Date');
    await expectCreated(again.client, live, lastEventId);
  });

  it.each([
    ['from the future', (newest: number) => String(newest + 1_000)],
    ['that is not a number', () => 'yesterday'],
  ])('sends resync with the newest id for an id %s, then live events', async (_case, lastEventId) => {
    const newest = (await health(baseUrl)).lastEventId;
    const { client } = await connect('', { 'Last-Event-ID': lastEventId(newest) });

    const resync = await client.next();
    expect(resync.event).toBe('resync');
    expect(JSON.parse(resync.data)).toEqual({ lastEventId: newest });
    await expectCreated(client, await createUsers(1, 'After Resync'), newest);
  });
});
