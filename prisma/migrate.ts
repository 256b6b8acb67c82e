// npm run db:migrate: creates the database if needed and applies pending migrations (offline).
import { applyMigrations } from '@/prisma/tooling/migrate';

const applied = await applyMigrations();
console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(', ')}` : 'Database is up to date.');
