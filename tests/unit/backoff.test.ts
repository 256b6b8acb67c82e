import { describe, expect, it } from 'vitest';
import { backoff } from '@/lib/browser/event-source';

describe('reconnect backoff', () => {
  it('doubles its bound from 1 s up to 30 s, waiting between half the bound and the bound', () => {
    const bounds = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    bounds.forEach((bound, attempt) => {
      expect(backoff(attempt, () => 0)).toBe(bound / 2);
      expect(backoff(attempt, () => 0.999_999)).toBeCloseTo(bound, -1);
    });
  });

  it('spreads clients that fail together over the window (jitter), instead of reconnecting in step', () => {
    const delays = Array.from({ length: 1_000 }, () => backoff(3));
    const buckets = new Set(delays.map((delay) => Math.floor(delay / 400)));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8_000);
    expect(buckets.size).toBeGreaterThanOrEqual(9); // 4–8 s in 400 ms buckets: all ten, barring bad luck
  });
});
