import 'server-only';
import { db, query } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { ConflictError, ForbiddenError, PreconditionFailedError } from '@/lib/server/errors';
import type { Actor } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { createUser, editUser, recordAccess } from '@/lib/server/users';
import { SYSTEM_PRINCIPAL } from '@/lib/shared/principal';
import { ADMINS_ONLY_MESSAGE, asRole, canManageAccess, type Role } from '@/lib/shared/roles';
import { hashPassword, verifyPassword } from './password';
import { type Account, endUserSessions, takeSessions } from './sessions';

// The people who can sign in are users of the directory with a role (lib/shared/roles.ts) and a
// password. The first of them comes from the environment: ADMIN_EMAIL with ADMIN_PASSWORD.

/** The account an email (normalised by the schema) belongs to, or null. */
export async function findAccount(email: string): Promise<Account | null> {
  const row = await query('account lookup', () => db.user.findUnique({ where: { email }, select: { id: true, name: true, role: true, passwordHash: true } }));
  return row && { ...row, role: asRole(row.role) };
}

/** A person's own details, for their account page. */
export type Profile = { id: number; name: string; email: string; role: Role };

export async function findProfile(userId: number): Promise<Profile | null> {
  const row = await query('account lookup', () => db.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true, role: true } }));
  return row && { ...row, role: asRole(row.role) };
}

/** Sets a person's password and ends every session they had (made with the old one), on every instance. */
export async function setPassword(userId: number, password: string): Promise<void> {
  const passwordHash = await hashPassword(password);
  await query('password set', () => db.user.update({ where: { id: userId }, data: { passwordHash } }));
  await endUserSessions(userId);
}

/**
 * An admin's "End sessions" on a person: every session they have ends, on every instance, and their
 * open tabs say so (for a lost laptop, or before changing their access). Returns how many there were.
 */
export async function endSessionsOf(userId: number, actor: Actor): Promise<number> {
  if (!canManageAccess(actor.role)) throw new ForbiddenError(ADMINS_ONLY_MESSAGE);
  // In the activity: who ended whose sessions. The sessions go in the same transaction.
  return recordAccess(userId, 'user_sessions_ended', actor, async (tx) => {
    const endedSessions = await takeSessions(tx, userId);
    return { result: endedSessions.length, endedSessions, logged: { sessions: endedSessions.length } };
  });
}

const SYSTEM: Actor = { principal: SYSTEM_PRINCIPAL, requestId: 'start-up', role: 'admin' };

/**
 * Makes ADMIN_EMAIL an admin whose password is ADMIN_PASSWORD (at start-up): creates the user, or
 * gives an existing one the admin role and that password. Changes in the directory are recorded
 * as Roster's own (`system`). Safe to run on several instances at once, and at every start: a
 * password that already matches is left alone, so its sessions go on.
 */
export async function ensureFirstAdmin(): Promise<void> {
  const { ADMIN_EMAIL: email, ADMIN_PASSWORD: password } = env;
  if (!email || !password) return;
  for (let attempt = 0; ; attempt++) {
    try {
      let user = await db.user.findUnique({ where: { email }, select: { id: true, role: true, version: true, passwordHash: true } });
      if (!user) {
        const created = await createUser({ name: env.ADMIN_NAME, email, role: 'admin' }, SYSTEM);
        user = { ...created, passwordHash: null };
        logger.info({ userId: created.id }, 'first admin created from ADMIN_EMAIL');
      } else if (asRole(user.role) !== 'admin') {
        await editUser(user.id, { role: 'admin' }, user.version, SYSTEM);
        logger.info({ userId: user.id }, 'ADMIN_EMAIL made an admin');
      }
      if (!(await verifyPassword(password, user.passwordHash))) {
        await setPassword(user.id, password);
        logger.info({ userId: user.id }, "first admin's password set from ADMIN_PASSWORD");
      }
      return;
    } catch (error) {
      // Another instance starting at the same moment created or changed the user first: look again.
      if (attempt < 3 && (error instanceof ConflictError || error instanceof PreconditionFailedError)) continue;
      throw error;
    }
  }
}
