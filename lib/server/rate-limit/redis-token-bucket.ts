import 'server-only';
import type { Redis } from 'ioredis';
import { logger } from '@/lib/server/logger';
import type { Limiter, Verdict } from './token-bucket';

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
      logger.warn({ err: error }, 'rate limit unavailable (redis): request allowed');
      return { ok: true };
    }
  }

  async refund(key: string): Promise<void> {
    if (this.perMinute === 0) return;
    await this.redis.rosterRefundToken(this.keyPrefix + key, this.perMinute).catch(() => undefined);
  }
}
