// npm run db:seed: adds a few demo users through the data layer, skipping emails already taken.
// npm run db:seed -- --users 100000: also adds that many generated users (name and email from a
// pool, createdAt spread over the past year), streamed in batches straight through the driver
// (prisma/tooling/bulk-users.ts), for demos and benchmarks: a million in under a minute.
// It runs in its own process, so open dashboards show the new users after a refresh, not live.
import { parseArgs } from 'node:util';
import { db } from '@/lib/server/db';
import { databaseTarget } from '@/lib/server/db/url';
import { env } from '@/lib/server/env';
import { bulkUserWriter } from '@/prisma/tooling/bulk-users';
import { nameKey, searchKey } from '@/lib/shared/directory/keys';
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

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Linus', 'Radia', 'Ken', 'Sophie', 'Tim', 'Hedy', 'Niklaus', 'Annie', 'Dennis', 'Joan', 'Søren', 'Zoë', 'José', 'Łucja'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'McCarthy', 'Hamilton', 'Torvalds', 'Perlman', 'Thompson', 'Wilson', 'Berners-Lee', 'Lamarr', 'Wirth', 'Easley', 'Ritchie', 'Clarke', 'Kierkegaard', 'Núñez', 'García', 'Wójcik'];
const BATCH = 5_000;
const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

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
  const writer = await bulkUserWriter(databaseTarget(env.DATABASE_URL));
  for (let offset = 0; offset < generated; offset += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, generated - offset) }, (_, i) => {
      const n = offset + i;
      const name = `${FIRST[n % FIRST.length]} ${LAST[Math.floor(n / FIRST.length) % LAST.length]} ${n}`;
      const email = `user${n}.${run}@example.com`;
      const createdAt = new Date(started - YEAR_MS + Math.floor((n / generated) * YEAR_MS));
      return { name, email, nameKey: nameKey(name), searchKey: searchKey(name, email), createdAt };
    });
    await writer.write(rows);
    if (process.stdout.isTTY) process.stdout.write(`\r${offset + rows.length} of ${generated}`);
  }
  await writer.close();
  if (process.stdout.isTTY) process.stdout.write('\n');
  console.log(`Added ${generated} generated users in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
await db.$disconnect();
