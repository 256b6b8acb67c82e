import 'server-only';
// The last few minutes of a histogram, for the status page's "p50 / p99 over 5 minutes" on each
// instance (Prometheus computes the same from the cumulative histogram; the page has no
// Prometheus). Counts per bucket in slots of `slotMs`, the oldest dropped as time moves on: memory
// is slots × buckets, whatever the number of samples.

export class RecentHistogram {
  readonly #slots: { start: number; counts: number[] }[] = [];

  constructor(
    /** Upper bounds, ascending (the Prometheus histogram's `le`). */
    readonly bounds: readonly number[],
    readonly windowMs = 5 * 60_000,
    readonly slotMs = 10_000,
  ) {}

  observe(value: number, now = Date.now()): void {
    const start = now - (now % this.slotMs);
    let slot = this.#slots.at(-1);
    if (!slot || slot.start !== start) {
      slot = { start, counts: new Array<number>(this.bounds.length + 1).fill(0) };
      this.#slots.push(slot);
    }
    // The first bound at or above the value, past the last one the overflow bucket: a loop, not
    // findIndex and its closure, at 20,000 samples a second.
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    slot.counts[bucket]!++;
    this.#drop(now);
  }

  /**
   * The q-quantile (0..1) of the window's samples, interpolated within its bucket as Prometheus's
   * histogram_quantile does; null without samples. Past the last bound: that bound.
   */
  quantile(q: number, now = Date.now()): number | null {
    this.#drop(now);
    const counts = new Array<number>(this.bounds.length + 1).fill(0);
    for (const slot of this.#slots) slot.counts.forEach((count, i) => (counts[i]! += count));
    const total = counts.reduce((sum, count) => sum + count, 0);
    if (total === 0) return null;
    const rank = q * total;
    let below = 0;
    for (const [i, count] of counts.entries()) {
      if (below + count >= rank && count > 0) {
        if (i === this.bounds.length) return this.bounds.at(-1) ?? null;
        const lower = i === 0 ? 0 : this.bounds[i - 1]!;
        return lower + (this.bounds[i]! - lower) * ((rank - below) / count);
      }
      below += count;
    }
    return this.bounds.at(-1) ?? null;
  }

  /** Samples in the window. */
  count(now = Date.now()): number {
    this.#drop(now);
    return this.#slots.reduce((sum, slot) => sum + slot.counts.reduce((a, b) => a + b, 0), 0);
  }

  #drop(now: number): void {
    while (this.#slots.length > 0 && this.#slots[0]!.start + this.slotMs <= now - this.windowMs) this.#slots.shift();
  }
}
