import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import { MemoryHub } from '@/lib/events/memory-hub';
import { HEARTBEAT, encodeEvent, sseFrame } from '@/lib/events/sse';
import { HEARTBEAT_MS, eventStreamResponse } from '@/lib/events/stream';

const ada: UserDTO = { id: 1, name: 'Ada', email: 'ada@example.com', createdAt: '2026-01-01T00:00:00.000Z' };

function open(hub: MemoryHub, heartbeatMs?: number) {
  const request = new AbortController();
  const response = eventStreamResponse(hub, request.signal, heartbeatMs);
  if (!response.body) throw new Error('the response has no body');
  return { response, reader: response.body.getReader(), abort: () => request.abort() };
}

/** The next chunk the client would receive; fails if the stream ended instead. */
async function nextChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array> {
  const { done, value } = await reader.read();
  if (done) throw new Error('the stream ended');
  return value;
}

describe('eventStreamResponse', () => {
  beforeEach(() => {
    // Only the timers: the stream's own promise machinery must keep running for real.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('answers with headers that keep proxies and compression from buffering', () => {
    const { response, abort } = open(new MemoryHub());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    abort();
  });

  it('opens with a connected event carrying the hub lastEventId, then streams published frames', async () => {
    const hub = new MemoryHub();
    await hub.publish({ type: 'user_deleted', id: 99 });
    const { reader, abort } = open(hub);

    expect(await nextChunk(reader)).toEqual(sseFrame('connected', { lastEventId: hub.lastEventId }));

    const created = await hub.publish({ type: 'user_created', user: ada });
    const deleted = await hub.publish({ type: 'user_deleted', id: ada.id });
    expect(await nextChunk(reader)).toEqual(encodeEvent(created));
    expect(await nextChunk(reader)).toEqual(encodeEvent(deleted));
    abort();
  });

  it('sends a heartbeat comment every heartbeatMs and nothing before', async () => {
    const hub = new MemoryHub();
    const { reader, abort } = open(hub, 1_000);
    await nextChunk(reader); // connected

    vi.advanceTimersByTime(999);
    const published = await hub.publish({ type: 'user_deleted', id: 5 });
    expect(await nextChunk(reader)).toEqual(encodeEvent(published));

    vi.advanceTimersByTime(1);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    vi.advanceTimersByTime(1_000);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    abort();
  });

  it('uses a 15 second heartbeat by default', async () => {
    const { reader, abort } = open(new MemoryHub());
    await nextChunk(reader);
    expect(HEARTBEAT_MS).toBe(15_000);
    vi.advanceTimersByTime(HEARTBEAT_MS);
    expect(await nextChunk(reader)).toEqual(HEARTBEAT);
    abort();
  });

  it('holds one subscription and one timer while open', async () => {
    const hub = new MemoryHub();
    const { reader, abort } = open(hub);
    await nextChunk(reader);
    expect(hub.subscriberCount).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    abort();
  });

  it('releases the subscription and the timer when the request aborts, and ends the stream', async () => {
    const hub = new MemoryHub();
    const { reader, abort } = open(hub, 1_000);
    await nextChunk(reader);

    abort();

    expect(hub.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await reader.read()).toEqual({ done: true, value: undefined });
    await expect(hub.publish({ type: 'user_deleted', id: 1 })).resolves.toMatchObject({ id: 1 });
  });

  it('releases the subscription and the timer when the reader cancels', async () => {
    const hub = new MemoryHub();
    const other = open(hub);
    const { reader, abort } = open(hub, 1_000);
    await nextChunk(reader);
    await nextChunk(other.reader);
    expect(hub.subscriberCount).toBe(2);

    await reader.cancel();

    expect(hub.subscriberCount).toBe(1);
    expect(vi.getTimerCount()).toBe(1);
    // The stream that is still open keeps receiving; a late abort of the cancelled one is harmless.
    abort();
    const published = await hub.publish({ type: 'user_deleted', id: 3 });
    expect(await nextChunk(other.reader)).toEqual(encodeEvent(published));
    other.abort();
    expect(hub.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('holds nothing for a request aborted before the stream started, and sends only the connected event', async () => {
    const hub = new MemoryHub();
    const request = new AbortController();
    request.abort();
    const response = eventStreamResponse(hub, request.signal);

    expect(hub.subscriberCount).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    expect(await response.text()).toBe(new TextDecoder().decode(sseFrame('connected', { lastEventId: hub.lastEventId })));
  });
});
