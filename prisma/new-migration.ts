// npm run db:migration -- <name>: writes <migrations>/<timestamp>_<name> from the schema of the
// database DATABASE_URL names, offline: prisma/schema.prisma into prisma/migrations for SQLite,
// prisma/postgresql/schema.prisma into prisma/postgresql/migrations for PostgreSQL. Like
// `prisma migrate dev`, it first applies the committed migrations to that database (a development
// one); on PostgreSQL it also creates and drops a scratch shadow database on that server.
import { createMigration } from '@/prisma/tooling/migrate';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/i.test(name)) {
  console.error('Usage: npm run db:migration -- <name>   (letters, digits and _ only)');
  process.exit(2);
}
const dir = await createMigration(name);
console.log(dir ? `Created ${dir}\nApply it with: npm run db:migrate` : 'The schema matches the migrations: nothing to create.');
