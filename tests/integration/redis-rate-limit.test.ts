// With REDIS_URL, every instance draws on one allowance per client: two limiters on two Redis
// connections stand for two instances behind a load balancer.
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisRateLimiter, withTokenBuckets } from '@/lib/server/rate-limit/redis-token-bucket';
import { dropPrefix, privateRedis, uniquePrefix } from '../support/redis';
import { REDIS_URL, servicesUp } from '../support/services';

const up = await servicesUp('redis');

describe.skipIf(!up)('RedisRateLimiter', () => {
  let prefix: string;
  const clients: Redis[] = [];
  const instance = (perMinute: number, url = REDIS_URL) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
    redis.on('error', () => {});
    clients.push(redis);
    return { redis, limiter: new RedisRateLimiter(withTokenBuckets(redis), prefix, perMinute) };
  };

  beforeEach(() => {
    prefix = uniquePrefix();
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await dropPrefix(prefix);
  });

  it('shares one allowance between instances: the sixth request of a client is refused on either', async () => {
    const [a, b] = [instance(5), instance(5)];
    await Promise.all([a.redis.connect(), b.redis.connect()]);
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await (i % 2 ? b : a).limiter.take('203.0.113.7'));
    expect(verdicts).toEqual(Array(5).fill({ ok: true }));

    const refusedOnA = await a.limiter.take('203.0.113.7');
    const refusedOnB = await b.limiter.take('203.0.113.7');
    // Five a minute: the next token comes in 12 s.
    expect(refusedOnA).toEqual({ ok: false, retryAfterSeconds: 12 });
    expect(refusedOnB).toMatchObject({ ok: false });
    expect(await b.limiter.take('198.51.100.9')).toEqual({ ok: true }); // another client is unaffected
  });

  it('takes back a refund on any instance, never past the allowance', async () => {
    const [a, b] = [instance(2), instance(2)];
    await Promise.all([a.redis.connect(), b.redis.connect()]);
    await a.limiter.refund('server'); // nothing taken yet: stays at 2
    expect(await a.limiter.take('server')).toEqual({ ok: true });
    expect(await b.limiter.take('server')).toEqual({ ok: true });
    expect(await a.limiter.take('server')).toMatchObject({ ok: false });
    await b.limiter.refund('server');
    expect(await a.limiter.take('server')).toEqual({ ok: true });
    expect(await b.limiter.take('server')).toMatchObject({ ok: false });
  });

  it('allows requests while Redis is unreachable rather than blocking writes', async () => {
    const redis = await privateRedis();
    const a = instance(1, redis.url);
    await a.redis.connect();
    expect(await a.limiter.take('client')).toEqual({ ok: true });
    expect(await a.limiter.take('client')).toMatchObject({ ok: false });
    await redis.stop();
    expect(await a.limiter.take('client')).toEqual({ ok: true });
  });
});
