// GET /events against the real server: what a browser's EventSource receives when users change.
import { describe, expect, inject, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, eventually, health, postUser, uniqueEmail } from '../support/api';
import { SseClient, type SseMessage, streamsFor } from '../support/sse';
import { SERVES } from '../support/server';

describe.each(SERVES)('GET /events (%s)', (serve) => {
  const { baseUrl } = inject('servers')[serve];
  const streams = streamsFor(baseUrl);
  const subscribe = () => streams.open();

  const payload = (message: SseMessage): unknown => JSON.parse(message.data);

  it('answers as an unbuffered, uncompressed event stream', async () => {
    const { client } = await subscribe();
    const headers = client.response.headers;
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(headers.get('x-accel-buffering')).toBe('no');
    // fetch asks for gzip and br; no-transform must keep the server from compressing (buffering) it.
    expect(headers.get('content-encoding')).toBeNull();
  });

  it('starts with a connected event carrying the current lastEventId', async () => {
    const before = await health(baseUrl);
    const { lastEventId } = await subscribe();
    expect(lastEventId).toBe(before.lastEventId);
  });

  it('sends user_created with the user DTO and an id line after POST /api/users', async () => {
    const { client, lastEventId } = await subscribe();
    const user = await createUser(baseUrl, 'Streamed Ada');

    const message = await client.next();
    expect(message.event).toBe('user_created');
    expect(payload(message)).toEqual(user);
    expect(Number(message.id)).toBeGreaterThan(lastEventId);
    expect(Number(message.id)).toBe((await health(baseUrl)).lastEventId);
  });

  it('sends user_deleted with the id and the user as it was after DELETE /api/users/{id}', async () => {
    const user = await createUser(baseUrl, 'Streamed Grace');
    const { client, lastEventId } = await subscribe();

    expect((await deleteUser(baseUrl, user.id)).status).toBe(204);

    const message = await client.next();
    expect(message.event).toBe('user_deleted');
    expect(payload(message)).toEqual({ id: user.id, user });
    expect(Number(message.id)).toBe(lastEventId + 1);
  });

  it('delivers the same events, in the same order, to every subscriber', async () => {
    const first = await subscribe();
    const second = await subscribe();
    const user = await createUser(baseUrl, 'Seen Twice');
    await deleteUser(baseUrl, user.id);

    const received = async (client: SseClient) => [await client.next(), await client.next()];
    const [a, b] = await Promise.all([received(first.client), received(second.client)]);
    expect(a.map((m) => m.event)).toEqual(['user_created', 'user_deleted']);
    expect(b).toEqual(a);
    expect(Number(a[1]?.id)).toBe(Number(a[0]?.id) + 1);
  });

  it('sends nothing for a DELETE of an unknown id (404)', async () => {
    const { client, lastEventId } = await subscribe();

    const response = await deleteUser(baseUrl, 2_000_000_000);
    expect(response.status).toBe(404);
    expect((await health(baseUrl)).lastEventId).toBe(lastEventId);

    // Events arrive in order, so if the 404 had published anything it would come before this one.
    const marker = await createUser(baseUrl, 'After The 404');
    const message = await client.next();
    expect(message.event).toBe('user_created');
    expect((payload(message) as UserDTO).id).toBe(marker.id);
    expect(Number(message.id)).toBe(lastEventId + 1);
  });

  it('sends nothing for a rejected create (400 and 409)', async () => {
    const email = uniqueEmail('taken');
    await createUser(baseUrl, 'First Owner', email);
    const { client, lastEventId } = await subscribe();

    expect((await postUser(baseUrl, { name: '', email: 'not-an-email' })).status).toBe(400);
    expect((await postUser(baseUrl, { name: 'Second Owner', email: email.toUpperCase() })).status).toBe(409);

    const marker = await createUser(baseUrl, 'After The Rejections');
    const message = await client.next();
    expect((payload(message) as UserDTO).id).toBe(marker.id);
    expect(Number(message.id)).toBe(lastEventId + 1);
  });

  it('counts a subscriber in /api/health and forgets it once the client disconnects', async () => {
    const start = (await health(baseUrl)).subscribers;
    const { client } = await subscribe();
    expect((await eventually(() => health(baseUrl), (h) => h.subscribers === start + 1)).subscribers).toBe(start + 1);

    client.close();

    const after = await eventually(() => health(baseUrl), (h) => h.subscribers === start);
    expect(after.subscribers).toBe(start);
  });

  it('is back to its starting subscriber count after 300 connections opened and closed in batches', async () => {
    const before = await health(baseUrl);
    const start = before.subscribers;
    for (let batch = 0; batch < 6; batch++) {
      const open = await Promise.all(Array.from({ length: 50 }, () => SseClient.connect(`${baseUrl}/events`)));
      for (const client of open) expect((await client.next()).event).toBe('connected');
      expect((await health(baseUrl)).subscribers).toBe(start + 50);
      for (const client of open) client.close();
      await eventually(() => health(baseUrl), (h) => h.subscribers === start);
    }

    const after = await eventually(() => health(baseUrl), (h) => h.subscribers === start);
    expect(after.subscribers).toBe(start);
    expect(after.connectionsRefused).toBe(before.connectionsRefused);
  });
});
