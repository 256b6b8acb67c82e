import { describe, expect, it } from 'vitest';
import { MemoryStreamSlots } from '@/lib/server/rate-limit/stream-slots';

// The per-principal cap on open streams, on one instance (the Redis one: tests/integration/hardening.test.ts).

describe('MemoryStreamSlots', () => {
  it('gives a key at most `max` slots, and one back each time a holder releases', async () => {
    const slots = new MemoryStreamSlots(2);
    const first = await slots.claim('token:a');
    const second = await slots.claim('token:a');
    expect([first, second].every((release) => typeof release === 'function')).toBe(true);
    expect(await slots.claim('token:a')).toBeNull();
    expect(await slots.claim('token:b')).not.toBeNull();

    first?.();
    expect(await slots.claim('token:a')).not.toBeNull();
    expect(await slots.claim('token:a')).toBeNull();
  });

  it('counts a release once, however often it is called (a stream can end on several paths)', async () => {
    const slots = new MemoryStreamSlots(1);
    const release = await slots.claim('session:x');
    release?.();
    release?.();
    const again = await slots.claim('session:x');
    expect(again).not.toBeNull();
    expect(await slots.claim('session:x')).toBeNull();
  });
});
