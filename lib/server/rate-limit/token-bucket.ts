import 'server-only';
// The token bucket in memory: one process's allowances (the default, with no REDIS_URL).

type Bucket = { tokens: number; at: number };

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** One kind of allowance (writes, streams, sign-ins), counted per key (a principal, an address). */
export interface Limiter {
  take(key: string): Verdict | Promise<Verdict>;
  /** Gives back what `take` took, for an attempt that turned out not to count (a right password). */
  refund(key: string): void | Promise<void>;
}

/**
 * A token bucket per client: `perMinute` tokens, refilled continuously, so a client may burst up
 * to a minute's allowance and then continue at the steady rate. 0 turns the limit off.
 */
export class RateLimiter implements Limiter {
  readonly #buckets = new Map<string, Bucket>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  take(key: string): Verdict {
    if (this.perMinute === 0) return { ok: true };
    const now = this.now();
    const perMs = this.perMinute / 60_000;
    const bucket = this.#buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * perMs);
    bucket.at = now;
    if (bucket.tokens < 1) {
      this.#buckets.set(key, bucket);
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000)) };
    }
    bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 10_000) this.#forgetIdle(now);
    return { ok: true };
  }

  refund(key: string): void {
    const bucket = this.#buckets.get(key);
    if (bucket) bucket.tokens = Math.min(this.perMinute, bucket.tokens + 1);
  }

  /** Full buckets carry no information: drop them so memory stays bounded. */
  #forgetIdle(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * (this.perMinute / 60_000) >= this.perMinute) this.#buckets.delete(key);
    }
  }
}
