// npm run db:seed: adds a few demo users through the data layer, skipping emails already taken.
// npm run db:seed -- --users 100000: also adds that many generated users (name and email from a
// pool, createdAt spread over the past year), streamed in batches straight through the driver
// (prisma/tooling/bulk-users.ts), for demos and benchmarks: a million in under a minute.
// It runs in its own process, so open dashboards show the new users after a refresh, not live.
import { parseArgs } from 'node:util';
import { db } from '@/lib/server/db';
import { databaseTarget } from '@/lib/server/db/url';
import { env } from '@/lib/server/env';
import { bulkUserWriter, generatedUser } from '@/prisma/tooling/bulk-users';
import { ConflictError } from '@/lib/server/errors';
import { createUser } from '@/lib/server/users';
import { userInputSchema } from '@/lib/shared/validation';

const DEMO_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
  { name: 'Katherine Johnson', email: 'katherine@example.com' },
  { name: 'Edsger Dijkstra', email: 'edsger@example.com' },
];

const BATCH = 5_000;

const { values } = parseArgs({ options: { users: { type: 'string', default: '0' } } });
const generated = Number(values.users);
if (!Number.isInteger(generated) || generated < 0 || generated > 10_000_000) {
  console.error('Usage: npm run db:seed [-- --users <count>]');
  process.exit(2);
}

let added = 0;
for (const demo of DEMO_USERS) {
  try {
    await createUser(userInputSchema.parse(demo), { principal: 'seed', requestId: 'db:seed', role: 'admin' });
    added++;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
console.log(`Seeded ${added} demo user(s); ${DEMO_USERS.length - added} already present.`);

if (generated > 0) {
  const started = Date.now();
  // A tag per run keeps generated emails unique across runs.
  const run = started.toString(36);
  const writer = await bulkUserWriter(databaseTarget(env.DATABASE_URL), generated);
  // Ctrl-C stops between batches, so the writer still puts back what it set aside.
  let interrupted = false;
  process.once('SIGINT', () => (interrupted = true));
  let written = 0;
  try {
    while (written < generated && !interrupted) {
      const rows = Array.from({ length: Math.min(BATCH, generated - written) }, (_, i) => generatedUser(written + i, { total: generated, run, until: started }));
      await writer.write(rows);
      written += rows.length;
      if (process.stdout.isTTY) process.stdout.write(`\r${written} of ${generated}`);
    }
  } finally {
    // Puts back what the writer set aside (the sorts' and the search's indexes, kept in step again).
    await writer.close();
  }
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`Added ${written} generated users in ${((Date.now() - started) / 1000).toFixed(1)} s${interrupted ? ' (interrupted)' : ''}.`);
}
await db.$disconnect();
