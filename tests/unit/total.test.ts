// A filtered view's total: exact up to TOTAL_CAP, then "10,000+" (the server stops counting at
// TOTAL_CAP + 1), and a live change keeps it consistent.
import { describe, expect, it } from 'vitest';
import { adjustTotal, cappedTotal, TOTAL_CAP } from '@/lib/shared/directory/total';

describe('the capped total', () => {
  it('is exact up to TOTAL_CAP, and TOTAL_CAP, not exact, past it', () => {
    expect(TOTAL_CAP).toBe(10_000);
    expect(cappedTotal(0)).toEqual({ total: 0, totalIsExact: true });
    expect(cappedTotal(10_000)).toEqual({ total: 10_000, totalIsExact: true });
    expect(cappedTotal(10_001)).toEqual({ total: 10_000, totalIsExact: false });
  });

  it('follows live changes while exact, and says "or more" once a filtered view passes the cap', () => {
    expect(adjustTotal({ total: 9_999, totalIsExact: true }, 1, true)).toEqual({ total: 10_000, totalIsExact: true });
    expect(adjustTotal({ total: 10_000, totalIsExact: true }, 1, true)).toEqual({ total: 10_000, totalIsExact: false });
    expect(adjustTotal({ total: 10_000, totalIsExact: true }, -1, true)).toEqual({ total: 9_999, totalIsExact: true });
  });

  it('stays "or more" when not exact: how many more is not known', () => {
    // A total of its own, not the object it was given (a reducer spreads it over its state).
    const state = { total: 10_000, totalIsExact: false, users: [] };
    expect(adjustTotal(state, 1, true)).toStrictEqual({ total: 10_000, totalIsExact: false });
    expect(adjustTotal({ total: 10_000, totalIsExact: false }, -1, true)).toEqual({ total: 10_000, totalIsExact: false });
    expect(adjustTotal({ total: 10_000, totalIsExact: false }, 1, true)).toEqual({ total: 10_000, totalIsExact: false });
  });

  it('keeps the unfiltered view exact at any size', () => {
    expect(adjustTotal({ total: 1_000_000, totalIsExact: true }, 1, false)).toEqual({ total: 1_000_001, totalIsExact: true });
  });
});
