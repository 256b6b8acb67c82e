// npm run db:seed: adds a few demo users through the data layer, skipping emails already taken.
// It runs in its own process, so open dashboards show the demo users after a refresh, not live.
import { db } from '@/lib/db';
import { ConflictError } from '@/lib/errors';
import { addUser } from '@/lib/users';
import { userInputSchema } from '@/lib/validation';

const DEMO_USERS = [
  { name: 'Ada Lovelace', email: 'ada@example.com' },
  { name: 'Grace Hopper', email: 'grace@example.com' },
  { name: 'Alan Turing', email: 'alan@example.com' },
  { name: 'Katherine Johnson', email: 'katherine@example.com' },
  { name: 'Edsger Dijkstra', email: 'edsger@example.com' },
];

let added = 0;
for (const demo of DEMO_USERS) {
  try {
    await addUser(userInputSchema.parse(demo));
    added++;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}
console.log(`Seeded ${added} demo user(s); ${DEMO_USERS.length - added} already present.`);
await db.$disconnect();
