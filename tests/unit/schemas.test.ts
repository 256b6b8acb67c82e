// Prisma generates a client per provider, so the data model is written twice: prisma/schema.prisma
// (SQLite) and prisma/postgresql/schema.prisma. lib/server/db hands out either client under one type and
// lib/server/db maps errors with one Prisma namespace; both only hold while the two agree. A user's
// fields are listed once, in the zod schema (USER_FIELDS): each must be a column of the User model.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Prisma as PostgresPrisma } from '@/lib/server/generated/prisma-postgresql/client';
import { Prisma as SqlitePrisma } from '@/lib/server/generated/prisma/client';
import { USER_FIELDS } from '@/lib/shared/validation';

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
    // PostgreSQL's trigram indexes (type: Gin) are the one thing SQLite's schema cannot declare.
    const postgres = modelsOf('prisma/postgresql/schema.prisma').replace(/^ *@@index\(.*type: Gin.*\)\n/gm, '');
    expect(postgres).toBe(sqlite);
  });

  it('generate clients that share the runtime error classes lib/server/db tests for', () => {
    expect(PostgresPrisma.PrismaClientKnownRequestError).toBe(SqlitePrisma.PrismaClientKnownRequestError);
  });

  it('have a User column for every field of the one zod schema, and the data layer keeps the rest', () => {
    const columns = Object.keys(SqlitePrisma.UserScalarFieldEnum);
    expect(columns).toEqual(expect.arrayContaining([...USER_FIELDS]));
    expect(columns.filter((column) => !(USER_FIELDS as readonly string[]).includes(column)).sort()).toEqual(['createdAt', 'id', 'nameKey', 'passwordHash', 'searchKey', 'updatedAt', 'version', 'wordsKey']);
  });
});
