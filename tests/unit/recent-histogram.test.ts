import { describe, expect, it } from 'vitest';
import { RecentHistogram } from '@/lib/server/recent-histogram';

describe('RecentHistogram', () => {
  const bounds = [0.1, 0.2, 0.5, 1];

  it('interpolates quantiles within buckets, as histogram_quantile does', () => {
    const h = new RecentHistogram(bounds);
    for (let i = 0; i < 90; i++) h.observe(0.05, 0);
    for (let i = 0; i < 10; i++) h.observe(0.4, 0);
    expect(h.quantile(0.5, 0)).toBeCloseTo(0.1 * (50 / 90));
    // The 99th of 100 samples is the 9th of the 10 in (0.2, 0.5].
    expect(h.quantile(0.99, 0)).toBeCloseTo(0.2 + 0.3 * (9 / 10));
    expect(h.count(0)).toBe(100);
  });

  it("counts a sample on a bound in that bound's bucket (le, as Prometheus)", () => {
    const h = new RecentHistogram(bounds);
    h.observe(0.1, 0);
    h.observe(0.2, 0);
    // Both at or under their bounds: the top quantile is the second bucket's top, not the third's.
    expect(h.quantile(1, 0)).toBeCloseTo(0.2);
    expect(h.quantile(0.5, 0)).toBeCloseTo(0.1);
  });

  it('forgets samples older than its window, and says null when it has none', () => {
    const h = new RecentHistogram(bounds, 60_000, 10_000);
    h.observe(0.05, 0);
    h.observe(3, 55_000);
    expect(h.count(60_000)).toBe(2);
    expect(h.count(70_001)).toBe(1);
    // Past the last bound: the last bound.
    expect(h.quantile(0.99, 70_001)).toBe(1);
    expect(h.quantile(0.5, 200_000)).toBeNull();
  });
});
