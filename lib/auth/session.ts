import 'server-only';
import { jwtVerify, SignJWT } from 'jose';
import { env } from '@/lib/env';

export const SESSION_COOKIE = 'roster_session';

function key(): Uint8Array {
  if (!env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set');
  return new TextEncoder().encode(env.SESSION_SECRET);
}

/** A signed, expiring session token (HS256 JWT) for the admin. */
export async function createSession(): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(Date.now() + env.SESSION_TTL_SECONDS * 1000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('admin')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(key());
  return { token, expiresAt };
}

/** When the session ends (ms since the epoch), or null for a missing, forged or expired token. */
export async function sessionExpiry(token: string | undefined): Promise<number | null> {
  if (!token || !env.SESSION_SECRET) return null;
  try {
    const { payload } = await jwtVerify(token, key(), { algorithms: ['HS256'], subject: 'admin' });
    return payload.exp === undefined ? null : payload.exp * 1000;
  } catch {
    return null;
  }
}
