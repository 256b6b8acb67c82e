// npm run db:migration -- <name>: writes prisma/migrations/<timestamp>_<name> from schema.prisma, offline.
import { createMigration } from '@/lib/db/migrate';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/i.test(name)) {
  console.error('Usage: npm run db:migration -- <name>   (letters, digits and _ only)');
  process.exit(2);
}
const dir = await createMigration(name);
console.log(dir ? `Created ${dir}\nApply it with: npm run db:migrate` : 'schema.prisma matches the migrations: nothing to create.');
