import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import { cookies } from 'next/headers';
import { env } from '@/lib/env';
import { SESSION_COOKIE, sessionExpiry } from './session';

/** Who is calling: `expiresAt` is when their access ends (null: it does not, e.g. an API token). */
export type Caller = { via: 'open' | 'session' | 'token'; expiresAt: number | null };

/** Authentication is on whenever an admin password is set (production refuses to start without). */
export const authEnabled = (): boolean => Boolean(env.ADMIN_PASSWORD);

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const OPEN: Caller = { via: 'open', expiresAt: null };

async function fromSessionToken(token: string | undefined): Promise<Caller | null> {
  const expiresAt = await sessionExpiry(token);
  return expiresAt === null ? null : { via: 'session', expiresAt };
}

/** The caller of an API route or the stream: a bearer token or the session cookie. */
export async function callerOf(request: Request): Promise<Caller | null> {
  if (!authEnabled()) return OPEN;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer !== undefined) return env.API_TOKEN && sameSecret(bearer, env.API_TOKEN) ? { via: 'token', expiresAt: null } : null;
  const cookie = request.headers
    .get('cookie')
    ?.split(/;\s*/)
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  return fromSessionToken(cookie?.slice(SESSION_COOKIE.length + 1));
}

/** The caller of a page or a server action: the session cookie. */
export async function currentCaller(): Promise<Caller | null> {
  if (!authEnabled()) return OPEN;
  return fromSessionToken((await cookies()).get(SESSION_COOKIE)?.value);
}
