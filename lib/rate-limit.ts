import 'server-only';
import { env } from './env';
import { RateLimitedError } from './errors';

type Bucket = { tokens: number; at: number };

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/**
 * A token bucket per client: `perMinute` tokens, refilled continuously, so a client may burst up
 * to a minute's allowance and then continue at the steady rate. 0 turns the limit off.
 */
export class RateLimiter {
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

  /** Full buckets carry no information: drop them so memory stays bounded. */
  #forgetIdle(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.at) * (this.perMinute / 60_000) >= this.perMinute) this.#buckets.delete(key);
    }
  }
}

/**
 * The client's address. Next.js fills X-Forwarded-For with the peer address only when the request
 * has none, so the right-most entry is what the nearest proxy (or Next.js) saw; with several
 * trusted proxies, the client is TRUSTED_PROXY_HOPS entries from the right.
 */
export function clientKey(headers: Headers): string {
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((part) => part.trim());
  return hops[hops.length - Math.max(1, env.TRUSTED_PROXY_HOPS)] || 'unknown';
}

const globalForLimits = globalThis as typeof globalThis & { rosterLimits?: Record<'writes' | 'streams' | 'logins', RateLimiter> };

// On globalThis so actions and route handlers (separate bundles) count against the same buckets.
export const limits = (globalForLimits.rosterLimits ??= {
  writes: new RateLimiter(env.RATE_LIMIT_WRITES_PER_MIN),
  streams: new RateLimiter(env.RATE_LIMIT_WRITES_PER_MIN),
  // Password guesses: a handful a minute is plenty for a person and useless for a script.
  logins: new RateLimiter(10),
});

/** Counts one write (create or delete) against the caller's allowance. */
export function assertWriteAllowed(headers: Headers): void {
  const verdict = limits.writes.take(clientKey(headers));
  if (!verdict.ok) throw new RateLimitedError(verdict.retryAfterSeconds);
}
