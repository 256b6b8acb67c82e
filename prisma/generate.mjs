// `prisma generate` without a network: the Prisma CLI downloads its native schema engine at
// start-up even though generate never runs it, so point it at any existing executable.
// Roster applies migrations with the WebAssembly engine instead (see prisma/tooling/schema-engine.ts).
// One client per provider: Prisma Client refuses a driver adapter for another provider than its
// schema's, so PostgreSQL has its own schema (prisma/postgresql/schema.prisma, same model).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const SCHEMAS = ['prisma/schema.prisma', 'prisma/postgresql/schema.prisma'];

const require = createRequire(import.meta.url);
const cli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};

for (const schema of SCHEMAS) {
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
