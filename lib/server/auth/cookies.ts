import 'server-only';
import { cookies, headers } from 'next/headers';
import { DEVICE_COOKIE, DEVICE_COOKIE_DAYS } from './sign-in';
import { SESSION_COOKIE, type Session } from './sessions';

/**
 * Gives this browser its session cookie (and, from a sign-in, its known-device cookie): out of
 * reach of scripts, not sent with cross-site posts, Secure when the request came over HTTPS.
 */
export async function setSessionCookies(token: string, session: Session, device?: string): Promise<void> {
  const jar = await cookies();
  const secure = (await headers()).get('x-forwarded-proto') === 'https';
  const cookie = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  jar.set(SESSION_COOKIE, token, { ...cookie, expires: new Date(session.expiresAt) });
  if (device) jar.set(DEVICE_COOKIE, device, { ...cookie, maxAge: DEVICE_COOKIE_DAYS * 24 * 60 * 60 });
}
