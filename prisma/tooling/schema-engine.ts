import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
} from '@prisma/driver-adapter-utils';
import type * as Glue from '@prisma/schema-engine-wasm/schema_engine_bg';

// Prisma's own schema engine, compiled to WebAssembly and driven through a driver adapter.
// The Prisma CLI would download a native engine first, which a machine without internet
// cannot; this engine writes the same `_prisma_migrations` table with the same checksums,
// so `prisma migrate deploy` on a connected machine agrees with what it applied.

export type SchemaEngine = Glue.SchemaEngine;

let glue: Promise<typeof Glue> | undefined;

// The package's main entry imports the .wasm file as an ES module, which Node cannot do;
// instantiate the bytes ourselves with the JS glue as the import object instead.
function loadGlue(): Promise<typeof Glue> {
  glue ??= (async () => {
    const bindings = await import('@prisma/schema-engine-wasm/schema_engine_bg');
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg'));
    const bytes = await readFile(path.join(dir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bindings });
    bindings.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
    return bindings;
  })();
  return glue;
}

// better-sqlite3 runs one statement per call, but the engine sends whole scripts through
// executeRaw when it sets up a shadow database: hand those to executeScript.
function acceptScripts(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return new Proxy(adapter, {
    get(target, key, receiver) {
      if (key === 'executeRaw') {
        return async (query: SqlQuery) => {
          try {
            return await target.executeRaw(query);
          } catch (error) {
            if (query.args.length > 0 || !/more than one statement/i.test(String(error))) throw error;
            await target.executeScript(query.sql);
            return 0;
          }
        };
      }
      const value: unknown = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Runs `work` with an engine connected through `factory`, then closes every connection the
 * engine opened: until they are disposed, SQLite stays locked for every other writer.
 */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  datamodels: [path: string, content: string][],
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  const { SchemaEngine } = await loadGlue();
  const opened: SqlDriverAdapter[] = [];
  const track = async (connecting: Promise<SqlDriverAdapter>) => {
    const adapter = await connecting;
    opened.push(adapter);
    return acceptScripts(adapter);
  };
  const tracked: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: () => track(factory.connect()),
    connectToShadowDb: () => track(factory.connectToShadowDb()),
  };
  const log = process.env.ROSTER_DEBUG_SCHEMA_ENGINE ? (line: string) => console.error(line) : () => {};
  const engine = await SchemaEngine.new({ datamodels }, log, bindMigrationAwareSqlAdapterFactory(tracked));
  let result: { value: T } | undefined;
  try {
    result = { value: await work(engine) };
  } finally {
    engine.free();
    // Every adapter is disposed even if one fails; a failure to close only surfaces when `work`
    // succeeded, so it never hides the engine's own error.
    const closed = await Promise.allSettled(opened.map((adapter) => adapter.dispose()));
    const failed = closed.find((outcome) => outcome.status === 'rejected');
    if (result && failed) throw failed.reason;
  }
  return result.value;
}
