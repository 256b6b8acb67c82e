// Prisma generates a client per provider, so the data model is written twice: prisma/schema.prisma
// (SQLite) and prisma/postgresql/schema.prisma. lib/server/db hands out either client under one type and
// lib/server/users maps errors with one Prisma namespace; both only hold while the two agree.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Prisma as PostgresPrisma } from '@/lib/server/generated/prisma-postgresql/client';
import { Prisma as SqlitePrisma } from '@/lib/server/generated/prisma/client';

/** Everything after the datasource block: the models, the part both files must share. */
function modelsOf(file: string): string {
  const text = readFileSync(file, 'utf8');
  const datasource = /^datasource \w+ \{[^}]*\}$/m.exec(text);
  if (!datasource) throw new Error(`${file} has no datasource block`);
  return text.slice(datasource.index + datasource[0].length).trim();
}

describe('the SQLite and PostgreSQL schemas', () => {
  it('declare the same models', () => {
    const sqlite = modelsOf('prisma/schema.prisma');
    expect(sqlite).toMatch(/^model User \{/m);
    expect(modelsOf('prisma/postgresql/schema.prisma')).toBe(sqlite);
  });

  it('generate clients that share the runtime error classes lib/server/users tests for', () => {
    expect(PostgresPrisma.PrismaClientKnownRequestError).toBe(SqlitePrisma.PrismaClientKnownRequestError);
  });
});
