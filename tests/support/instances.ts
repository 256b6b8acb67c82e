// Several production instances as one app: one fresh PostgreSQL database, one Redis key prefix.
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, type TestDatabase } from './postgres';
import { dropPrefix, uniquePrefix } from './redis';
import { type PostgresTestServer, type ServerEnv, startServer } from './server';
import { REDIS_URL } from './services';

export type Instances = {
  database: TestDatabase;
  prefix: string;
  a: PostgresTestServer;
  b: PostgresTestServer;
  /** Starts another instance on the same database and Redis (its caller stops it, or puts it in a or b). */
  instance: (env?: ServerEnv) => Promise<PostgresTestServer>;
};

/**
 * For the describe it is called in: two instances (`npm start`), A and B, on a fresh PostgreSQL
 * database named after `label`, ringing each other through Redis under a prefix of their own;
 * after its tests, whatever is in a and b is stopped, the database dropped and the prefix cleared.
 */
export function twoInstances(label: string): Instances {
  const instances = {
    instance: (env: ServerEnv = {}) =>
      startServer({ databaseUrl: instances.database.url, env: { REDIS_URL, REDIS_KEY_PREFIX: instances.prefix, ...env } }),
  } as Instances;
  beforeAll(async () => {
    instances.database = await freshDatabase(label);
    instances.prefix = uniquePrefix();
    [instances.a, instances.b] = [await instances.instance(), await instances.instance()];
  });
  afterAll(async () => {
    await Promise.all([instances.a?.stop(), instances.b?.stop()]);
    await instances.database?.drop();
    await dropPrefix(instances.prefix);
  });
  return instances;
}
