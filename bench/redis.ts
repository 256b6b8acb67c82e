// The Redis the several-instance targets share: whether it answers, and removing the benchmark's keys.
import { Redis } from 'ioredis';

function connection(url: string, onError: (error: Error) => void = () => {}): Redis {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', onError);
  return redis;
}

/** Why Redis at `url` cannot be used, or undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  // The socket's error (ECONNREFUSED …) says more than the "Connection is closed." connect() rejects with.
  let cause: Error | undefined;
  const redis = connection(url, (error) => (cause ??= error));
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return (cause ?? (error as Error)).message;
  } finally {
    redis.disconnect();
  }
}

/** Deletes every key under `prefix`; SCAN rather than KEYS, since the Redis is shared. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = connection(url);
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
