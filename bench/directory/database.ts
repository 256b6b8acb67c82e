// A fresh, empty database per run — a SQLite file or a PostgreSQL database beside the maintenance
// one — shared with the writes benchmark (bench/writes.ts).
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { RUN, TMP } from './config';

export const KINDS = ['sqlite', 'postgresql'] as const;
export type Kind = (typeof KINDS)[number];

export type Database = { kind: Kind; url: string; drop: () => Promise<void> };

export async function withPg<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database, or why there cannot be one. */
export async function createDatabase(kind: Kind, adminUrl: string): Promise<Database | string> {
  if (kind === 'sqlite') {
    mkdirSync(TMP, { recursive: true });
    const file = path.join(TMP, `directory-${RUN}.db`);
    const drop = async () => {
      for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
    };
    await drop();
    return { kind, url: `file:${file}`, drop };
  }
  const name = `roster_bench_${randomUUID().slice(0, 8)}`;
  const identifier = pg.escapeIdentifier(name);
  try {
    await withPg(adminUrl, (client) => client.query(`CREATE DATABASE ${identifier}`));
  } catch (error) {
    return `PostgreSQL at ${URL.canParse(adminUrl) ? new URL(adminUrl).host : '?'} is unreachable or refused (${(error as Error).message})`;
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      await withPg(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${identifier} WITH (FORCE)`));
    },
  };
}
