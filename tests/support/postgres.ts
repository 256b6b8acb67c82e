// Throwaway PostgreSQL databases on the test server of ./services.ts: each test gets a fresh one
// under a unique name, so tests never share state, and drops it afterwards.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { postgresUrl } from './services';

/** The server's maintenance database, for creating and dropping the others. */
const ADMIN_URL = postgresUrl('postgres');

/** Runs `work` with a connection to the database at `url`, closed afterwards. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Every database on the server, by name. */
export function databaseNames(): Promise<string[]> {
  return withClient(ADMIN_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database ORDER BY datname');
    return rows.map((row) => row.datname);
  });
}

export type TestDatabase = {
  name: string;
  url: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop: () => Promise<void>;
};

/** A new empty database named `roster_test_<label>_<random>`. */
export async function freshDatabase(label: string): Promise<TestDatabase> {
  const name = `roster_test_${label}_${randomUUID().slice(0, 8)}`;
  const identifier = pg.escapeIdentifier(name);
  await withClient(ADMIN_URL, (client) => client.query(`CREATE DATABASE ${identifier}`));
  return {
    name,
    url: postgresUrl(name),
    drop: async () => {
      await withClient(ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`));
    },
  };
}
