// Signing in the way a person does: through the real login page and its server action, submitted
// as a browser without JavaScript would (see ./html.ts). Also plants sessions in the database, for
// tests that need one that ends soon or one the server must refuse (expired, another password).
import { createHash, createHmac, randomBytes, randomInt } from 'node:crypto';
import Database from 'better-sqlite3';
import { findForm, submitForm } from './html';
import type { UserDTO } from '@/lib/shared/dto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, API_TOKEN, SESSION_SECRET } from './secrets';

export const SESSION_COOKIE = 'roster_session';

/**
 * A client address of its own for one sign-in. Failed and successful sign-ins alike count against
 * a limit of 10 a minute per client (X-Forwarded-For, right-most entry), and the tests of one run
 * sign in more often than that; each test stands for a different person anyway.
 */
export function clientAddress(): string {
  return `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
}

/** The sign-in form of GET /login, as HTML (the server must see an anonymous visitor). */
export async function loginForm(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/login`);
  if (response.status !== 200) throw new Error(`GET /login answered ${response.status}`);
  return findForm(await response.text(), (form) => form.includes('name="password"'));
}

/** Submits the login form with `password` (and `email`, the first admin's unless given); the answer is not followed, so its Set-Cookie stays visible. */
export async function submitSignIn(
  baseUrl: string,
  password: string,
  headers: Record<string, string> = {},
  email: string = ADMIN_EMAIL,
): Promise<Response> {
  return submitForm(`${baseUrl}/login`, await loginForm(baseUrl), { email, password }, {
    headers: { 'X-Forwarded-For': clientAddress(), ...headers },
    redirect: 'manual',
  });
}

/** The `name=value` of the session cookie a response sets, if it sets one. */
export function sessionCookieOf(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  return header?.split(';')[0];
}

/** Signs in (as the first admin unless told whom) and returns the `Cookie` header value to send from then on. */
export async function signIn(baseUrl: string, { email = ADMIN_EMAIL, password = ADMIN_PASSWORD } = {}): Promise<string> {
  const response = await submitSignIn(baseUrl, password, {}, email);
  const cookie = sessionCookieOf(response);
  if (!cookie || cookie === `${SESSION_COOKIE}=`) {
    throw new Error(`Signing in answered ${response.status} without a session cookie: ${await response.text()}`);
  }
  return cookie;
}

/**
 * A session of the person with `email` (the first admin unless given) written straight into the
 * server's SQLite file, the way lib/server/auth/sessions.ts writes one (only the token's SHA-256 is
 * stored, with a keyed hash of the person's password hash), for tests that need one ending at a
 * given time, made with an earlier password (`madeWith`: that password's hash), or from a given
 * browser. Returns the Cookie.
 */
export function plantSession(
  databaseFile: string,
  {
    expiresAt,
    secret = SESSION_SECRET,
    email = ADMIN_EMAIL,
    madeWith,
    userAgent = '',
    address = '',
  }: { expiresAt: Date; secret?: string; email?: string; madeWith?: string; userAgent?: string; address?: string },
): string {
  const token = randomBytes(32).toString('base64url');
  const id = createHash('sha256').update(token).digest('base64url');
  // Prisma's SQLite adapter stores times as ISO 8601 text with an explicit offset.
  const iso = (date: Date) => date.toISOString().replace('Z', '+00:00');
  const db = new Database(databaseFile);
  try {
    const user = db.prepare('SELECT "id", "passwordHash" FROM "User" WHERE "email" = ?').get(email) as { id: number; passwordHash: string | null } | undefined;
    if (!user) throw new Error(`No user ${email} to plant a session for`);
    const tag = createHmac('sha256', secret).update(`password:${madeWith ?? user.passwordHash ?? ''}`).digest('base64url');
    db.prepare('INSERT INTO "Session" ("id", "userId", "passwordTag", "createdAt", "lastSeenAt", "expiresAt", "userAgent", "address") VALUES (?, ?, ?, ?, ?, ?, ?, ?)').run(
      id,
      user.id,
      tag,
      iso(new Date()),
      iso(new Date()),
      iso(expiresAt),
      userAgent,
      address,
    );
  } finally {
    db.close();
  }
  return `${SESSION_COOKIE}=${token}`;
}

/** The id the server stores for the session a Cookie carries: its token's SHA-256. */
const sessionIdOfCookie = (cookie: string) => createHash('sha256').update(cookie.slice(`${SESSION_COOKIE}=`.length)).digest('base64url');

/** The stored row of the session a Cookie carries (found by the token's hash), if there is one. */
export function storedSession(databaseFile: string, cookie: string): Record<string, unknown> | undefined {
  const id = sessionIdOfCookie(cookie);
  const db = new Database(databaseFile, { readonly: true });
  try {
    return db.prepare('SELECT * FROM "Session" WHERE "id" = ?').get(id) as Record<string, unknown> | undefined;
  } finally {
    db.close();
  }
}

/** Deletes the stored row of the session a Cookie carries, behind the server's back (no instance hears of it). */
export function forgetStoredSession(databaseFile: string, cookie: string): void {
  const id = sessionIdOfCookie(cookie);
  const db = new Database(databaseFile);
  try {
    db.prepare('DELETE FROM "Session" WHERE "id" = ?').run(id);
  } finally {
    db.close();
  }
}

/** Presses "Sign out" (or "Sign out everywhere") on the dashboard of the browser holding `cookie`. */
export async function submitSignOut(baseUrl: string, cookie: string, { everywhere = false } = {}): Promise<Response> {
  const page = await fetch(`${baseUrl}/`, { headers: { Cookie: cookie } });
  if (page.status !== 200) throw new Error(`GET / answered ${page.status}: not signed in`);
  const label = everywhere ? 'Sign out everywhere' : 'Sign out';
  const form = findForm(await page.text(), (f) => f.includes(`>${label}</button>`));
  return submitForm(`${baseUrl}/`, form, {}, { headers: { Cookie: cookie }, redirect: 'manual' });
}

/**
 * A person made through the API (the server's API token, or an admin's `bearer`) with `role`, who then sets their password
 * through their invite link as they would: their user and their browser's `Cookie`.
 */
export async function signedInPerson(baseUrl: string, role: 'viewer' | 'editor' | 'admin', label: string, bearer = API_TOKEN): Promise<{ user: UserDTO; cookie: string }> {
  const made = await fetch(`${baseUrl}/api/users`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: `${label} ${role}`, email: `${label.toLowerCase().replace(/\W+/g, '-')}.${role}.${randomBytes(4).toString('hex')}@example.com`, role }),
  });
  if (made.status !== 201) throw new Error(`Making the ${role} answered ${made.status}: ${await made.text()}`);
  const user = (await made.json()) as UserDTO;
  const invite = await fetch(`${baseUrl}/api/users/${user.id}/invite`, { method: 'POST', headers: { Authorization: `Bearer ${bearer}` } });
  const link = `${baseUrl}${new URL(((await invite.json()) as { url: string }).url).pathname}`;
  const form = findForm(await (await fetch(link)).text(), (f) => f.includes('name="password"'));
  const cookie = sessionCookieOf(await submitForm(link, form, { password: `${label} ${role} password` }, { redirect: 'manual', headers: { Origin: baseUrl } }));
  if (!cookie) throw new Error('The invite did not sign the person in');
  return { user, cookie };
}
