// Signing in the way a person does: through the real login page and its server action, submitted
// as a browser without JavaScript would (see ./html.ts). Also mints session cookies directly, for
// tests that need one the server must refuse (wrong secret, expired) or one that ends soon.
import { randomInt } from 'node:crypto';
import { SignJWT } from 'jose';
import { findForm, submitForm } from './html';
import { ADMIN_PASSWORD, SESSION_SECRET } from './secrets';

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

/** Submits the login form with `password`; the answer is not followed, so its Set-Cookie stays visible. */
export async function submitSignIn(
  baseUrl: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return submitForm(`${baseUrl}/login`, await loginForm(baseUrl), { password }, {
    headers: { 'X-Forwarded-For': clientAddress(), ...headers },
    redirect: 'manual',
  });
}

/** The `name=value` of the session cookie a response sets, if it sets one. */
export function sessionCookieOf(response: Response): string | undefined {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`));
  return header?.split(';')[0];
}

/** Signs in with the admin password and returns the `Cookie` header value to send from then on. */
export async function signIn(baseUrl: string): Promise<string> {
  const response = await submitSignIn(baseUrl, ADMIN_PASSWORD);
  const cookie = sessionCookieOf(response);
  if (!cookie || cookie === `${SESSION_COOKIE}=`) {
    throw new Error(`Signing in answered ${response.status} without a session cookie: ${await response.text()}`);
  }
  return cookie;
}

/** A session cookie signed by us: with the server's secret unless told otherwise, expiring at `exp` (s). */
export async function mintSessionCookie({
  secret = SESSION_SECRET,
  exp,
  subject = 'admin',
}: {
  secret?: string;
  exp: number;
  subject?: string;
}): Promise<string> {
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
  return `${SESSION_COOKIE}=${token}`;
}
