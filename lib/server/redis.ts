import 'server-only';
import { Redis } from 'ioredis';

// Redis connections, configured one way for the hub and the rate limits: with REDIS_URL set,
// Redis carries what must be shared by every instance. The database stays the truth, so nothing
// may wait on Redis: commands fail at once while it is unreachable instead of queueing.

/** Where Redis is, without the password a URL may carry. */
export function redisAddress(url: string): string {
  try {
    const { hostname, port } = new URL(url);
    return `${hostname}:${port || 6379}`;
  } catch {
    return 'an invalid REDIS_URL';
  }
}

export type RedisConnection = {
  client: Redis;
  /** Connects; throws, naming Redis's address and the socket's reason, when it is unreachable. */
  connect: () => Promise<void>;
};

export function createRedis(url: string, commandTimeoutMs?: number): RedisConnection {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 3_000,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
  });
  // ioredis emits every failed reconnection attempt; callers log the state change once instead.
  // The socket's own reason (e.g. ECONNREFUSED) says more than a command's "Connection is closed".
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = error));
  const connect = async () => {
    try {
      await client.connect();
    } catch (error) {
      client.disconnect();
      const reason = (lastError ?? (error as Error)).message.replace(/\.$/, '');
      throw new Error(`Redis at ${redisAddress(url)} is unreachable (${reason})`);
    }
  };
  return { client, connect };
}
