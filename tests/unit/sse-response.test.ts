import { afterAll, describe, expect, it, vi } from 'vitest';

// The process-wide connection registry reads its limit once, when lib/server/events is first imported.
vi.hoisted(() => vi.stubEnv('MAX_SSE_CONNECTIONS', '2'));

// The hub reads an event log held in memory instead of the database.
vi.mock('@/lib/server/events/event-log', async () => {
  const { MemoryLog } = await import('../support/memory-log');
  return { databaseLog: new MemoryLog() };
});

import { connections, hub } from '@/lib/server/events';
import { databaseLog } from '@/lib/server/events/event-log';
import type { MemoryLog } from '../support/memory-log';
import { RETRY, encodeEvent, resyncFrame, sseFrame } from '@/lib/server/events/sse';
import { GET } from '@/app/events/route';
import { lastEventIdOf } from '@/lib/server/events/sse-response';
import { deletedEvent } from '../support/users';

afterAll(() => {
  vi.unstubAllEnvs();
});

const request = (query = '', headers: Record<string, string> = {}) =>
  new Request(`http://localhost/events${query}`, { headers });

describe('lastEventIdOf', () => {
  it('is undefined when the client gives no id', () => {
    expect(lastEventIdOf(request())).toBeUndefined();
    expect(lastEventIdOf(request('?lastEventId='))).toBeUndefined();
    expect(lastEventIdOf(request('', { 'Last-Event-ID': '' }))).toBeUndefined();
  });

  it('reads the Last-Event-ID header an EventSource sends when it reconnects', () => {
    expect(lastEventIdOf(request('', { 'Last-Event-ID': '1764230400000001' }))).toBe(1764230400000001);
  });

  it('reads ?lastEventId= when there is no header', () => {
    expect(lastEventIdOf(request('?lastEventId=42'))).toBe(42);
  });

  it('prefers the header over the query', () => {
    expect(lastEventIdOf(request('?lastEventId=42', { 'Last-Event-ID': '43' }))).toBe(43);
  });

  it.each(['abc', '12a', '-1', '1.5', '1e3', '0x10', '1 2', '12345678901234567'])(
    'is NaN (unknown, so resync) for %j',
    (raw) => {
      expect(lastEventIdOf(request(`?lastEventId=${encodeURIComponent(raw)}`))).toBeNaN();
      expect(lastEventIdOf(request('', { 'Last-Event-ID': raw }))).toBeNaN();
    },
  );

  it('accepts up to 16 digits', () => {
    expect(lastEventIdOf(request('?lastEventId=1234567890123456'))).toBe(1234567890123456);
  });
});

/** The first `count` chunks of the body; the stream is cancelled after them. */
async function firstChunks(response: Response, count: number): Promise<Uint8Array[]> {
  const reader = response.body?.getReader();
  if (!reader) throw new Error('the response has no body');
  const chunks: Uint8Array[] = [];
  while (chunks.length < count) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
  }
  await reader.cancel();
  return chunks;
}

describe('GET /events (the route, authentication off)', () => {
  it('answers with headers that keep proxies and compression from buffering', async () => {
    const response = await GET(request());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    await response.body?.cancel();
    expect(connections.size).toBe(0);
  });

  it('streams from the process-wide hub, replaying from the Last-Event-ID header', async () => {
    const from = hub.lastEventId;
    const missed = (databaseLog as MemoryLog).append(deletedEvent(1));
    await hub.ring();

    const chunks = await firstChunks(await GET(request('', { 'Last-Event-ID': String(from) })), 3);

    expect(chunks).toEqual([RETRY, sseFrame('connected', { lastEventId: missed.eventId }), encodeEvent(missed)]);
  });

  it('passes an unreadable id on as unknown, so the client is told to resync', async () => {
    const chunks = await firstChunks(await GET(request('?lastEventId=soon')), 3);
    expect(chunks[2]).toEqual(resyncFrame(hub.lastEventId));
  });

  it('answers 503 with a JSON error and Retry-After once the process is at its limit', async () => {
    const open = [await GET(request()), await GET(request())];
    const refusedBefore = connections.refused;

    const response = await GET(request());

    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toEqual({ error: expect.stringMatching(/poll/) });
    expect(connections.refused).toBe(refusedBefore + 1);
    for (const stream of open) {
      expect(stream.status).toBe(200);
      await stream.body?.cancel();
    }
    const again = await GET(request());
    expect(again.status).toBe(200);
    await again.body?.cancel();
  });
});
