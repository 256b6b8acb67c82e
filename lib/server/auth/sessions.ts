import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db, query } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { bus } from '@/lib/server/events';
import { logger } from '@/lib/server/logger';
import { asRole, type Role } from '@/lib/shared/roles';
import { keyedHash } from './secrets';
import { SessionRelay, type SessionsEnded } from './session-relay';

// Server-side sessions, each of one person. The cookie carries a random token; the database keeps
// only its SHA-256 (the session's id), with its person, expiry, when it was last seen, and a tag of
// the password it was made with. A session stands while its person has a role and that password.
// Deleting the row ends the session: every instance refuses the cookie within CACHE_MS, and the
// session relay tells every instance to close the session's open streams at once.

export const SESSION_COOKIE = 'roster_session';

/** How long an instance trusts its last look at a session: revocation reaches requests within this. */
const CACHE_MS = 1_000;
/** last-seen is written at most this often per session, not on every request. */
const LAST_SEEN_EVERY_MS = 60_000;

/** A live session, with what its person may do now (read with it, so a role change applies within CACHE_MS). */
export type Session = { id: string; expiresAt: number; userId: number; name: string; role: Role };

type Cached = { session: Session | null; until: number } | { pending: Promise<Session | null> };

const globalForSessions = globalThis as typeof globalThis & { rosterSessions?: Map<string, Cached> };
// On globalThis: pages, actions and route handlers are separate bundles, and a revocation must
// clear what each of them cached.
const cache = (globalForSessions.rosterSessions ??= new Map<string, Cached>());

const idOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** The id of the session a cookie's token names (its SHA-256), or null for no token or one too long to be ours. */
export const sessionIdOfToken = (token: string | undefined): string | null => (token && token.length <= 100 ? idOf(token) : null);

/** A keyed hash of a person's password hash: once their password changes, their sessions are refused. */
const passwordTag = (passwordHash: string | null) => keyedHash(`password:${passwordHash ?? ''}`);

/** What logs and limits call a session: a prefix of its id (a hash), never the cookie's token. */
export const sessionPrincipal = (id: string) => `session:${id.slice(0, 8)}`;

/** Where a session was made: shown on the sessions page, never used to decide anything. */
export type SessionOrigin = { userAgent: string; address: string };

/** The person a session is started for, as sign-in found them. */
export type Account = { id: number; name: string; role: Role; passwordHash: string | null };

/** Starts a session of `account`; the token goes into the cookie and nowhere else. */
export async function createSession(account: Account, origin: SessionOrigin): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = Date.now() + env.SESSION_TTL_SECONDS * 1000;
  const id = idOf(token);
  const data = {
    id,
    userId: account.id,
    passwordTag: passwordTag(account.passwordHash),
    expiresAt: new Date(expiresAt),
    userAgent: origin.userAgent.slice(0, 300),
    address: origin.address.slice(0, 100),
  };
  await query('session start', () => db.session.create({ data }));
  return { token, session: { id, expiresAt, userId: account.id, name: account.name, role: account.role } };
}

/** A live session as the sessions page lists it. */
export type SessionSummary = { id: string; userAgent: string; address: string; createdAt: Date; lastSeenAt: Date };

/** The most sessions the page lists (the most recently seen first): a page, never every row. */
const LISTED_SESSIONS = 100;

/** One person's live sessions, most recently seen first (at most LISTED_SESSIONS). */
export function listSessions(userId: number): Promise<SessionSummary[]> {
  return query('session list', () =>
    db.session.findMany({
      where: { userId, expiresAt: { gt: new Date() } },
      orderBy: { lastSeenAt: 'desc' },
      take: LISTED_SESSIONS,
      select: { id: true, userAgent: true, address: true, createdAt: true, lastSeenAt: true },
    }),
  );
}

/** Ends one of a person's sessions by its id (from their sessions page), on every instance. False when they had none such. */
export async function endSessionById(id: string, userId: number): Promise<boolean> {
  const { count } = await query('session end', () => db.session.deleteMany({ where: { id, userId } }));
  await sessionRelay.endSessions([id]);
  return count > 0;
}

const sessionSelect = {
  passwordTag: true,
  expiresAt: true,
  lastSeenAt: true,
  user: { select: { id: true, name: true, role: true, passwordHash: true } },
} as const;

/** Whether a stored session still stands: not expired, its person still has a role and the same password. */
function stands(row: { passwordTag: string; expiresAt: Date; user: { role: string; passwordHash: string | null } }): boolean {
  return row.expiresAt.getTime() > Date.now() && asRole(row.user.role) !== 'none' && row.passwordTag === passwordTag(row.user.passwordHash);
}

async function load(id: string): Promise<Session | null> {
  // One indexed read: the session and its person together.
  const row = await query('session lookup', () => db.session.findUnique({ where: { id }, select: sessionSelect }));
  if (!row || !stands(row)) return null;
  if (Date.now() - row.lastSeenAt.getTime() > LAST_SEEN_EVERY_MS) {
    db.session.updateMany({ where: { id }, data: { lastSeenAt: new Date() } }).catch((error: unknown) => logger.warn({ err: error }, 'session last-seen not saved'));
  }
  return { id, expiresAt: row.expiresAt.getTime(), userId: row.user.id, name: row.user.name, role: asRole(row.user.role) };
}

/** The live session a cookie's token names, or null (unknown, ended, expired, or of an old password). */
export async function findSession(token: string | undefined): Promise<Session | null> {
  const id = sessionIdOfToken(token);
  if (id === null) return null;
  const now = Date.now();
  const cached = cache.get(id);
  if (cached && 'pending' in cached) return cached.pending;
  if (cached && cached.until > now) return cached.session && cached.session.expiresAt > now ? cached.session : null;
  // Concurrent requests of one session share one query.
  const pending = load(id);
  cache.set(id, { pending });
  try {
    const session = await pending;
    cache.set(id, { session, until: Date.now() + CACHE_MS });
    if (cache.size > 10_000) forgetStale();
    return session;
  } catch (error) {
    cache.delete(id);
    throw error;
  }
}

function forgetStale(): void {
  const now = Date.now();
  for (const [id, cached] of cache) if (!('pending' in cached) && cached.until <= now) cache.delete(id);
}

// One relay per process, on globalThis like the hub it shares the bus with.
const globalForRelay = globalThis as typeof globalThis & { rosterSessionRelay?: SessionRelay };

/** Ended sessions, told to every instance (lib/server/startup.ts listens). */
export const sessionRelay = (globalForRelay.rosterSessionRelay ??= new SessionRelay(bus));

/** Drops what this instance remembers of ended sessions (the relay calls it on every instance). */
export function forgetSessions(ended: SessionsEnded): void {
  if (ended === 'all') cache.clear();
  else for (const id of ended) cache.delete(id);
}

/** Ends the session a cookie's token names, on every instance (its open streams get `expired`). */
export async function endSession(token: string | undefined): Promise<string | null> {
  if (!token) return null;
  const id = idOf(token);
  await db.session.deleteMany({ where: { id } });
  await sessionRelay.endSessions([id]);
  return id;
}

/** The database, or a transaction of it: the session helpers below run in either. */
type Client = Pick<typeof db, 'session'>;

/**
 * The ids of a person's sessions. Not paged: a person has as many as browsers they signed in with
 * within SESSION_TTL_SECONDS (sign-ins are limited per address and per account), and expired ones
 * are purged hourly.
 */
export async function sessionIdsOf(client: Client, userId: number): Promise<string[]> {
  return (await client.session.findMany({ where: { userId }, select: { id: true } })).map((row) => row.id);
}

/**
 * Deletes a person's sessions (in the caller's transaction, with the change that ends them) and
 * returns their ids, for `sessionRelay.endSessions` once it commits.
 */
export async function takeSessions(client: Client, userId: number): Promise<string[]> {
  const ids = await sessionIdsOf(client, userId);
  if (ids.length > 0) await client.session.deleteMany({ where: { id: { in: ids } } });
  return ids;
}

/**
 * Ends every session of one person, on every instance ("Sign out everywhere", an admin's "End
 * sessions", a new password): their open streams get `expired`. Returns how many there were.
 */
export async function endUserSessions(userId: number): Promise<number> {
  const ids = await query('session end', () => takeSessions(db, userId));
  if (ids.length > 0) await sessionRelay.endSessions(ids);
  return ids.length;
}

/** Of these session ids, the ones that no longer stand (for open streams whose end was not heard). */
export async function endedAmong(ids: string[]): Promise<string[]> {
  const rows = await db.session.findMany({ where: { id: { in: ids } }, select: { id: true, ...sessionSelect }, take: ids.length });
  const standing = new Set(rows.filter(stands).map((row) => row.id));
  return ids.filter((id) => !standing.has(id));
}

/** Deletes expired sessions (those of a changed password or a person without access are refused, and ended when that happens). */
export async function purgeSessions(): Promise<number> {
  const { count } = await db.session.deleteMany({ where: { expiresAt: { lte: new Date() } } });
  return count;
}
