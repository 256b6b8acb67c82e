// A view's total as the server answers it: exact up to TOTAL_CAP matches, then "10,000+", so no
// request counts 400,000 matches to say how many there are. Safe to import on the client.

export const TOTAL_CAP = 10_000;

/** The total of a view (every page), and whether it is exact or "TOTAL_CAP or more". */
export type Total = { total: number; totalIsExact: boolean };

/** The total from a count that stopped at TOTAL_CAP + 1 rows. */
export function cappedTotal(counted: number): Total {
  return counted > TOTAL_CAP ? { total: TOTAL_CAP, totalIsExact: false } : { total: counted, totalIsExact: true };
}

/**
 * A total after a live change of `delta` users in the view. An exact total follows it, and a
 * filtered view's (`capped`) becomes "TOTAL_CAP or more" past TOTAL_CAP, as the server would say;
 * one that is not exact stays so, as it is not known how many more than TOTAL_CAP there are.
 * The unfiltered view's total is exact at any size (the server reads it, counting nothing).
 */
export function adjustTotal({ total: before, totalIsExact }: Total, delta: number, capped: boolean): Total {
  if (!totalIsExact) return { total: before, totalIsExact };
  const total = before + delta;
  return capped && total > TOTAL_CAP ? { total: TOTAL_CAP, totalIsExact: false } : { total, totalIsExact: true };
}
