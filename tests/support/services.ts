// The external services the scale-out tests use: PostgreSQL and Redis on 127.0.0.1, as on CI.
// Where one is unreachable its tests skip with a message saying so — except under .ci/run, which
// sets ROSTER_REQUIRE_SERVICES=1 so that a missing service fails the run instead of hiding it.
import { Socket } from 'node:net';

export const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;
export const REDIS = { host: '127.0.0.1', port: 6379 } as const;
export const REDIS_URL = `redis://${REDIS.host}:${REDIS.port}`;

/** A PostgreSQL URL for one database on the test server. */
export function postgresUrl(database: string): string {
  return `postgresql://${POSTGRES.user}@${POSTGRES.host}:${POSTGRES.port}/${database}`;
}

function reachable(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}

/**
 * True when every named service accepts connections. Otherwise false (the caller skips) with a
 * warning, or an error when the run requires the services.
 */
export async function servicesUp(...names: ('postgres' | 'redis')[]): Promise<boolean> {
  const where = { postgres: POSTGRES, redis: REDIS };
  const down: string[] = [];
  for (const name of names) {
    const { host, port } = where[name];
    if (!(await reachable(host, port))) down.push(`${name === 'postgres' ? 'PostgreSQL' : 'Redis'} at ${host}:${port}`);
  }
  if (down.length === 0) return true;
  const message = `${down.join(' and ')} unreachable`;
  if (process.env.ROSTER_REQUIRE_SERVICES) throw new Error(`${message}, and ROSTER_REQUIRE_SERVICES is set`);
  console.warn(`SKIPPED: ${message}: start it to run these tests.`);
  return false;
}
