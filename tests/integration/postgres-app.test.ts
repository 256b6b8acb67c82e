// The production server with a postgresql:// DATABASE_URL: the same REST contract as on SQLite
// (tests/integration/users-api.test.ts), and the rows really live in PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, deleteUser, listUsers, postUser, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase, withClient } from '../support/postgres';
import { type PostgresTestServer, startServer } from '../support/server';
import { servicesUp } from '../support/services';
import { ADMIN_EMAIL } from '../support/secrets';

const up = await servicesUp('postgres');

type UserRow = UserDTO;

/** The users as PostgreSQL stores them, the times in the DTO's ISO format (stored as UTC). */
function rows(url: string): Promise<UserRow[]> {
  return withClient(url, async (client) => {
    const result = await client.query<UserRow>(
      `SELECT id, name, email, to_char("createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
              to_char("updatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt", version, role
       FROM "User" ORDER BY id`,
    );
    return result.rows;
  });
}

describe.skipIf(!up)('the app on PostgreSQL', () => {
  let database: TestDatabase;
  let server: PostgresTestServer;

  beforeAll(async () => {
    database = await freshDatabase('app');
    server = await startServer({ databaseUrl: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('creates, lists and deletes users, storing them in PostgreSQL', async () => {
    // The first admin, made at start-up, is there from the beginning.
    const [admin, ...others] = await listUsers(server.url);
    expect(admin).toMatchObject({ email: ADMIN_EMAIL, role: 'admin' });
    expect(others).toEqual([]);
    const email = uniqueEmail('Pg');
    const created = await createUser(server.url, 'Ada Lovelace', email);
    expect(created).toMatchObject({ name: 'Ada Lovelace', email: email.toLowerCase() });
    expect(await rows(database.url)).toEqual([admin, created]);
    expect(await listUsers(server.url)).toEqual([created, admin]);

    const newer = await createUser(server.url, 'Grace Hopper');
    expect(await listUsers(server.url)).toEqual([newer, created, admin]);

    const response = await deleteUser(server.url, created.id);
    expect(response.status).toBe(204);
    expect(await rows(database.url)).toEqual([admin, newer]);
    expect((await deleteUser(server.url, created.id)).status).toBe(404);
  });

  it('answers 409 to an email that exists in another case, and keeps the first user', async () => {
    const email = uniqueEmail('Dup');
    const first = await createUser(server.url, 'First', email);

    const response = await postUser(server.url, { name: 'Second', email: email.toUpperCase() });

    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: 'Conflict',
      fieldErrors: { email: ['A user with this email already exists'] },
    });
    const stored = (await rows(database.url)).filter((row) => row.email.toLowerCase() === email.toLowerCase());
    expect(stored).toEqual([first]);
  });
});
