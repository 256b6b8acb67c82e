import 'server-only';
import { cookies } from 'next/headers';
import { env } from '@/lib/server/env';
import type { Role } from '@/lib/shared/roles';
import { apiToken } from './secrets';
import { userPrincipal } from '@/lib/shared/principal';
import { findSession, SESSION_COOKIE, sessionIdOfToken } from './sessions';

/**
 * Who is calling. `principal` names them in limits, logs and the audit trail, never with a secret:
 * `user:<id>` (a person, through one of their sessions), `token:<name>`, or `open` when
 * authentication is off. `sessionId` lets a sign-out find their streams; `expiresAt` is when their
 * access ends (null: it does not).
 */
export type Caller = {
  via: 'open' | 'session' | 'token';
  principal: string;
  /** What they may do: the person's role now, or a token's; an open server makes everyone an admin. */
  role: Role;
  /** The signed-in person (null for a token or an open server). */
  user: { id: number; name: string } | null;
  sessionId: string | null;
  expiresAt: number | null;
};

/** Authentication is on whenever an admin password is set (production refuses to start without). */
export const authEnabled = (): boolean => Boolean(env.ADMIN_PASSWORD);

const OPEN: Caller = { via: 'open', principal: 'open', role: 'admin', user: null, sessionId: null, expiresAt: null };

async function fromSessionToken(token: string | undefined): Promise<Caller | null> {
  const session = await findSession(token);
  if (!session) return null;
  return {
    via: 'session',
    principal: userPrincipal(session.userId),
    role: session.role,
    user: { id: session.userId, name: session.name },
    sessionId: session.id,
    expiresAt: session.expiresAt,
  };
}

/** The session cookie's value in a Cookie header. */
function sessionTokenOf(headers: Headers): string | undefined {
  const cookie = headers
    .get('cookie')
    ?.split(/;\s*/)
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  return cookie?.slice(SESSION_COOKIE.length + 1);
}

/** The id of the session a request's cookie names, if it has one and no bearer token (which would name the caller instead). */
export function sessionIdOf(headers: Headers): string | null {
  return headers.has('authorization') ? null : sessionIdOfToken(sessionTokenOf(headers));
}

/** The caller of an API route or the stream: a bearer token or the session cookie. */
export async function callerOf(request: Pick<Request, 'headers'>): Promise<Caller | null> {
  if (!authEnabled()) return OPEN;
  const bearer = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer !== undefined) {
    const token = apiToken(bearer);
    return token === null ? null : { via: 'token', principal: `token:${token.name}`, role: token.role, user: null, sessionId: null, expiresAt: null };
  }
  return fromSessionToken(sessionTokenOf(request.headers));
}

/** The caller of a page or a server action: the session cookie. */
export async function currentCaller(): Promise<Caller | null> {
  if (!authEnabled()) return OPEN;
  return fromSessionToken((await cookies()).get(SESSION_COOKIE)?.value);
}
