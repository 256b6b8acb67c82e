import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { DriverAdapterError, type SqlDriverAdapter, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';

// How the schema engine reaches PostgreSQL (prisma/tooling/migrate.ts). @prisma/adapter-pg 7.10's own
// factory cannot serve it as it is: see reportCharAsText, wholeScripts and connectToShadowDb below.

const CHAR_OID = 18;
const TEXT_OID = 25;

/** Relabels `"char"` columns of a pg result as text (see reportCharAsText). */
function relabelChar(result: unknown): unknown {
  if (typeof result === 'object' && result !== null && 'fields' in result && Array.isArray(result.fields)) {
    for (const field of result.fields as pg.FieldDef[]) if (field.dataTypeID === CHAR_OID) field.dataTypeID = TEXT_OID;
  }
  return result;
}

/**
 * PostgreSQL's one-byte `"char"` type (OID 18) is missing from adapter-pg 7.10's column types, so
 * any result with such a column fails ("Column type 'char' could not be deserialized"). The
 * engine reads one whenever it describes a schema (`pg_constraint.contype`), i.e. on every
 * `createMigration`. pg already hands the value over as a one-character string, so it is text in
 * every respect but the label: relabel it on the results the adapter reads (it awaits `query`'s
 * promise, on the pool or on a client checked out for a transaction). Only the engine's
 * connections get this: Prisma Client never selects a `"char"` column of this model. (A pg type
 * parser cannot help: the adapter fails on the column's type id before parsing anything, and it
 * passes its own parsers with every query.)
 */
function reportCharAsText<T extends pg.Pool | pg.PoolClient>(queryable: T): T {
  return new Proxy(queryable, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      if (key === 'query') return async (...args: unknown[]) => relabelChar(await value.apply(target, args));
      if (key === 'connect' && target instanceof pg.Pool) return async () => reportCharAsText(await target.connect());
      return value.bind(target);
    },
  });
}

/**
 * adapter-pg 7.10 runs a migration script by splitting it on every `;` and sending the pieces one
 * by one, which cuts a function body (`$$ … ; … $$`, as in the user_count migration's triggers) in
 * two. PostgreSQL takes the whole script as one simple query — several statements, one implicit
 * transaction — which is how Prisma's native engine sends it; errors reach the engine in the
 * adapter's shape, so it reports them as it would its own.
 */
function wholeScripts(adapter: SqlDriverAdapter, pool: pg.Pool): SqlDriverAdapter {
  const executeScript = async (script: string): Promise<void> => {
    try {
      await pool.query(script);
    } catch (error) {
      if (!(error instanceof pg.DatabaseError)) throw error;
      const { code = '', severity = 'ERROR', message, detail, column, hint } = error;
      throw new DriverAdapterError({ kind: 'postgres', code, severity, message, detail, column, hint });
    }
  };
  return new Proxy(adapter, {
    get: (target, key, receiver) => (key === 'executeScript' ? executeScript : Reflect.get(target, key, receiver)),
  });
}

/** An adapter on one database with its own pool, which disposing the adapter closes. */
async function connectTo(connectionString: string): Promise<SqlDriverAdapter> {
  const pool = reportCharAsText(new pg.Pool({ connectionString }));
  return wholeScripts(await new PrismaPg(pool, { disposeExternalPool: true }).connect(), pool);
}

/** Runs one statement on its own short-lived connection. */
async function runAlone(connectionString: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * The same URL naming another database. Only the path changes, so TLS and every other setting in
 * the URL carry over; pg lets a connection string's database win over a separate `database`
 * option, which is why adapter-pg's `{ ...config, database }` connects its "shadow" to the MAIN one.
 */
function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.href;
}

/**
 * A scratch database for `createMigration`, dropped when the adapter is disposed. adapter-pg's own
 * clean-up drops it while its pool is still connected, which fails and leaves it behind; closing
 * the pool first lets the drop succeed (PostgreSQL waits a few seconds for the backends to exit).
 */
async function connectToShadowDb(url: string): Promise<SqlDriverAdapter> {
  const name = `prisma_migrate_shadow_db_${randomUUID()}`;
  const shadowUrl = withDatabase(url, name);
  await runAlone(url, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  // No connection yet: the pool opens its first when the engine sends a query.
  const shadow = await connectTo(shadowUrl);
  const drop = () => runAlone(url, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)}`);
  // The engine disposes the shadow adapter when it is done with it, and withSchemaEngine disposes
  // every adapter again at the end: the first call does the work, later ones wait for it.
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= shadow.dispose().then(drop));
  return new Proxy(shadow, {
    get: (target, key, receiver) => (key === 'dispose' ? dispose : Reflect.get(target, key, receiver)),
  });
}

/** The schema engine's way in to the database at `url`, each connection with its own pool. */
export function postgresMigrationFactory(url: string): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connectTo(url),
    connectToShadowDb: () => connectToShadowDb(url),
  };
}

/** Roster's own advisory lock: "roster" in ASCII, anything but the engine's 72707369. */
export const MIGRATION_LOCK_KEY = String(0x726f73746572);

/**
 * Runs `work` (migrating the database at `url`) while no other Roster process migrates it.
 * Several instances may start at once, each applying migrations first. The engine serialises them
 * itself — it takes `pg_advisory_lock(72707369)` before it reads the history, held until its
 * connections close — but gives up after 10 seconds, so an instance starting during a longer
 * migration would fail. Waiting here first, on a connection of our own and under a key of our
 * own (under the engine's key the engine would wait for us), queues the instances for as long as
 * a migration takes; the engine's lock then still guards against `prisma migrate` elsewhere.
 */
export async function withMigrationLock<T>(url: string, work: () => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // Losing this connection mid-run releases our lock; the engine's lock is still held, so only
  // the run's error should surface, not an unhandled 'error' event.
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    return await work();
  } finally {
    // Closing the session releases the lock.
    await client.end();
  }
}
