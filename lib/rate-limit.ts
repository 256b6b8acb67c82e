import 'server-only';
import type { Redis } from 'ioredis';
import { env } from './env';
import { RateLimitedError } from './errors';
import { log } from './log';
import { createRedis, type RedisConnection } from './redis';

type Bucket = { tokens: number; at: number };

export type Verdict = { ok: true } | { ok: false; retryAfterSeconds: number };

/** One kind of allowance (writes, streams, sign-ins), counted per client key. */
export interface Limiter {
  take(key: string): Verdict | Promise<Verdict>;
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

/**
 * The same token bucket, kept in Redis so that every instance draws on one allowance: behind a
 * load balancer a per-instance limit would multiply by the number of instances. Redis's clock
 * refills it; an idle bucket expires once it would be full again. When Redis cannot answer, the
 * request is allowed (logged): the limit must not take writes down with it.
 */
const TOKEN_BUCKET_SCRIPT = `
local per = tonumber(ARGV[1])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local per_ms = per / 60000
local tokens = math.min(per, (tonumber(bucket[1]) or per) + (now - (tonumber(bucket[2]) or now)) * per_ms)
local allowed = tokens >= 1
if allowed then tokens = tokens - 1 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], 60000)
if allowed then return 0 end
return math.max(1, math.ceil((1 - tokens) / per_ms / 1000))
`;

type BucketClient = Redis & { rosterTakeToken(key: string, perMinute: number): Promise<number> };

/** Teaches a connection the token-bucket script (once per connection, shared by its limiters). */
export function withTokenBuckets(redis: Redis): BucketClient {
  redis.defineCommand('rosterTakeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET_SCRIPT });
  return redis as BucketClient;
}

export class RedisRateLimiter implements Limiter {
  constructor(
    private readonly redis: BucketClient,
    private readonly keyPrefix: string,
    readonly perMinute: number,
  ) {}

  async take(key: string): Promise<Verdict> {
    if (this.perMinute === 0) return { ok: true };
    try {
      const wait = await this.redis.rosterTakeToken(this.keyPrefix + key, this.perMinute);
      return wait === 0 ? { ok: true } : { ok: false, retryAfterSeconds: wait };
    } catch (error) {
      log.warn({ err: error }, 'rate limit unavailable (redis): request allowed');
      return { ok: true };
    }
  }
}

type Limits = Record<'writes' | 'streams' | 'logins', Limiter> & { redis?: RedisConnection };

// Password guesses: a handful a minute is plenty for a person and useless for a script.
const LOGINS_PER_MIN = 10;

function createLimits(): Limits {
  if (!env.REDIS_URL) {
    return {
      writes: new RateLimiter(env.RATE_LIMIT_WRITES_PER_MIN),
      streams: new RateLimiter(env.RATE_LIMIT_WRITES_PER_MIN),
      logins: new RateLimiter(LOGINS_PER_MIN),
    };
  }
  const redis = createRedis(env.REDIS_URL, 1_000);
  const client = withTokenBuckets(redis.client);
  const prefix = `${env.REDIS_KEY_PREFIX}rate:`;
  return {
    redis,
    writes: new RedisRateLimiter(client, `${prefix}writes:`, env.RATE_LIMIT_WRITES_PER_MIN),
    streams: new RedisRateLimiter(client, `${prefix}streams:`, env.RATE_LIMIT_WRITES_PER_MIN),
    logins: new RedisRateLimiter(client, `${prefix}logins:`, LOGINS_PER_MIN),
  };
}

const globalForLimits = globalThis as typeof globalThis & { rosterLimits?: Limits };

// On globalThis so actions and route handlers (separate bundles) count against the same buckets.
export const limits = (globalForLimits.rosterLimits ??= createLimits());

/** Connects the limits' Redis, if they use one (at start-up: throws when it is unreachable). */
export async function startLimits(): Promise<void> {
  await limits.redis?.connect();
}

export function stopLimits(): void {
  limits.redis?.client.disconnect();
}

/** Counts one write (create or delete) against the caller's allowance. */
export async function assertWriteAllowed(headers: Headers): Promise<void> {
  const verdict = await limits.writes.take(clientKey(headers));
  if (!verdict.ok) throw new RateLimitedError(verdict.retryAfterSeconds);
}
