// People who can sign in, made for a test: a user created through the API with a role, then given
// a password straight in the server's SQLite file, hashed the way lib/server/auth/password.ts
// hashes (until invites let an admin hand out a way in, this is the only door besides ADMIN_EMAIL).
import { randomBytes, scryptSync } from 'node:crypto';
import Database from 'better-sqlite3';
import type { UserDTO } from '@/lib/shared/dto';
import type { Role } from '@/lib/shared/roles';
import { postUser, uniqueEmail } from './api';

/** `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>`, as the server stores it. */
export function scryptHash(password: string): string {
  const salt = randomBytes(16);
  const key = scryptSync(password.normalize('NFKC'), salt, 32, { N: 2 ** 16, r: 8, p: 1, maxmem: 256 * 2 ** 16 * 8 });
  return ['scrypt', 16, 8, 1, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Stores `password` as the password of the user with `email`. */
export function givePassword(databaseFile: string, email: string, password: string): void {
  const db = new Database(databaseFile);
  try {
    const { changes } = db.prepare('UPDATE "User" SET "passwordHash" = ? WHERE "email" = ?').run(scryptHash(password), email);
    if (changes !== 1) throw new Error(`No user ${email} to give a password`);
  } finally {
    db.close();
  }
}

export type Person = { user: UserDTO; email: string; password: string };

/** A user with `role` and a password of their own, on the server at `baseUrl` whose database is `databaseFile`. */
export async function makePerson(baseUrl: string, databaseFile: string, name: string, role: Role): Promise<Person> {
  const email = uniqueEmail(name.split(' ')[0]?.toLowerCase());
  const response = await postUser(baseUrl, { name, email, role });
  if (response.status !== 201) throw new Error(`POST /api/users answered ${response.status}: ${await response.text()}`);
  const user = (await response.json()) as UserDTO;
  const password = `${name} password ${randomBytes(4).toString('hex')}`;
  givePassword(databaseFile, email, password);
  return { user, email, password };
}
