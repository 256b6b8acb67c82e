import 'server-only';
import type { Redis } from 'ioredis';
import type { Caller } from './auth';
import { env } from './env';
import { RateLimitedError } from './errors';
import { log } from './log';
import { createRedis, type RedisConnection } from './redis';

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

const REFUND_SCRIPT = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
if tokens then redis.call('HSET', KEYS[1], 'tokens', tostring(math.min(tonumber(ARGV[1]), tokens + 1))) end
return 0
`;

type BucketClient = Redis & {
  rosterTakeToken(key: string, perMinute: number): Promise<number>;
  rosterRefundToken(key: string, perMinute: number): Promise<number>;
};

/** Teaches a connection the token-bucket scripts (once per connection, shared by its limiters). */
export function withTokenBuckets(redis: Redis): BucketClient {
  redis.defineCommand('rosterTakeToken', { numberOfKeys: 1, lua: TOKEN_BUCKET_SCRIPT });
  redis.defineCommand('rosterRefundToken', { numberOfKeys: 1, lua: REFUND_SCRIPT });
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

  async refund(key: string): Promise<void> {
    if (this.perMinute === 0) return;
    await this.redis.rosterRefundToken(this.keyPrefix + key, this.perMinute).catch(() => undefined);
  }
}

type Kind = 'writes' | 'streams' | 'refused' | 'signInsPerAddress' | 'passwordChecks' | 'knownDevices';
type Limits = Record<Kind, Limiter> & { redis?: RedisConnection };

/**
 * Allowances per minute. Writes and streams are counted per principal (a session or an API token:
 * who asks, which no header changes); only what is anonymous is counted per client address.
 * There is one admin password, so the guesses it takes are also counted for the whole server,
 * except those from browsers that signed in before (see lib/auth/sign-in.ts).
 */
const PER_MIN: Record<Kind, number> = {
  writes: env.RATE_LIMIT_WRITES_PER_MIN,
  streams: env.RATE_LIMIT_WRITES_PER_MIN,
  // Requests refused as unauthenticated, per address: a script that lost its token stops soon.
  refused: 60,
  // Sign-in attempts, right or wrong, per address: a handful is plenty for a person.
  signInsPerAddress: 10,
  // Wrong passwords checked, from all addresses together (right ones are refunded).
  passwordChecks: 10,
  // Wrong passwords checked, per browser that signed in before.
  knownDevices: 10,
};

function byKind(make: (kind: Kind) => Limiter): Record<Kind, Limiter> {
  return {
    writes: make('writes'),
    streams: make('streams'),
    refused: make('refused'),
    signInsPerAddress: make('signInsPerAddress'),
    passwordChecks: make('passwordChecks'),
    knownDevices: make('knownDevices'),
  };
}

function createLimits(): Limits {
  if (!env.REDIS_URL) return byKind((kind) => new RateLimiter(PER_MIN[kind]));
  const redis = createRedis(env.REDIS_URL, 1_000);
  const client = withTokenBuckets(redis.client);
  const prefix = `${env.REDIS_KEY_PREFIX}rate:`;
  return { redis, ...byKind((kind) => new RedisRateLimiter(client, `${prefix}${kind}:`, PER_MIN[kind])) };
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

/** What a caller's writes and streams are counted under: who they are, or their address when anonymous. */
export function rateKeyOf(caller: Caller, headers: Headers): string {
  return caller.via === 'open' ? `address:${clientKey(headers)}` : caller.principal;
}

/** Counts one write (create, edit or delete) against the caller's allowance. */
export async function assertWriteAllowed(caller: Caller, headers: Headers): Promise<void> {
  const verdict = await limits.writes.take(rateKeyOf(caller, headers));
  if (!verdict.ok) throw new RateLimitedError(verdict.retryAfterSeconds);
}
