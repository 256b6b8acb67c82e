import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { db, query } from '@/lib/server/db';
import { ConflictError, ForbiddenError } from '@/lib/server/errors';
import type { Actor } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { mailConfigured, mailInvite, type MailOutcome } from '@/lib/server/mail';
import { recordAccess } from '@/lib/server/users';
import { principalUserId, userPrincipal } from '@/lib/shared/principal';
import { asRole, canManageAccess, ROLE_LABEL } from '@/lib/shared/roles';
import { findProfile } from './accounts';
import { type NewPasskey, type Purpose, savePasskey } from './passkeys';
import { hashPassword } from './password';
import { type Account, createSession, type Session, type SessionOrigin, sessionRelay, takeSessions } from './sessions';

// Invites: a one-time link an admin makes for a person who has a role, so they can set their own
// password (or register a passkey) and land signed in. The link carries 256 random bits; only their SHA-256 is stored, with
// the person, who made it, and when it expires. Using it (or a newer invite) ends the link.

const INVITE_DAYS = 7;

export const INVITES_ADMINS_ONLY = 'Only an admin can invite people.';
export const INVITE_NEEDS_ROLE = 'Give this user a role before inviting them: without one they cannot sign in.';

/** What the invite page says of a link that cannot be used. */
export const INVITE_GONE = {
  used: 'This invite link has been used already. Ask an admin for a new one.',
  expired: 'This invite link has expired. Ask an admin for a new one.',
  unknown: 'This invite link is not valid. Ask an admin for a new one.',
} as const;

const idOf = (token: string) => createHash('sha256').update(token).digest('base64url');

/** A link made, and what became of its e-mail. */
export type InviteLink = { url: string; expiresAt: Date; email: MailOutcome };

/**
 * Makes an invite link on `site` (this site's origin) for user `userId` (admins only; the user must
 * have a role), ending any earlier link of theirs, and e-mails it to them when SMTP_URL is set. The
 * token goes into the link and nowhere else.
 */
export async function createInvite(userId: number, actor: Actor, site: string): Promise<InviteLink> {
  if (!canManageAccess(actor.role)) throw new ForbiddenError(INVITES_ADMINS_ONLY);
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.now() + INVITE_DAYS * 24 * 60 * 60_000);
  // In the activity, like any change to the person: who invited them, and when.
  const user = await recordAccess(userId, 'user_invited', actor, async (tx, user) => {
    if (user.role === 'none') throw new ConflictError({ role: [INVITE_NEEDS_ROLE] });
    await tx.invite.deleteMany({ where: { userId, usedAt: null } });
    await tx.invite.create({ data: { id: idOf(token), userId, createdBy: actor.principal, expiresAt } });
    return { result: user };
  });
  const url = `${site}/invite/${token}`;
  if (!mailConfigured()) return { url, expiresAt, email: 'off' };
  // The e-mail says who invited them: one read, only when there is an e-mail to send.
  const inviterId = principalUserId(actor.principal);
  const inviter = inviterId === null ? null : await findProfile(inviterId);
  const email = await mailInvite({ to: user, invitedBy: inviter?.name ?? 'An admin', role: ROLE_LABEL[user.role].toLowerCase(), url, expiresAt });
  return { url, expiresAt, email };
}

/** What a link's token names: a person who may use it, or why it cannot be used. */
export type InviteLookup =
  | { status: 'open'; user: { id: number; name: string; email: string } }
  | { status: 'used' | 'expired' | 'unknown' };

export async function findInvite(token: string): Promise<InviteLookup> {
  if (!/^[\w-]{43}$/.test(token)) return { status: 'unknown' };
  const invite = await query('invite lookup', () =>
    db.invite.findUnique({ where: { id: idOf(token) }, select: { usedAt: true, expiresAt: true, user: { select: { id: true, name: true, email: true, role: true } } } }),
  );
  if (!invite) return { status: 'unknown' };
  if (invite.usedAt) return { status: 'used' };
  if (invite.expiresAt.getTime() <= Date.now() || asRole(invite.user.role) === 'none') return { status: 'expired' };
  return { status: 'open', user: { id: invite.user.id, name: invite.user.name, email: invite.user.email } };
}

/** `refused`: the link is good, but what the browser sent for it (a passkey) is not. */
export type AcceptResult = { ok: true; token: string; session: Session } | { ok: false; status: 'used' | 'expired' | 'unknown' | 'refused' };

/** What an invite sets: a password (checked against the password rule), or a passkey checked against the invite's challenge. */
export type InviteCredential = { password: string } | { passkey: NewPasskey };

/** What the challenge for a passkey made from an invite is for: this invite, and no other. */
export const invitePurpose = (token: string): Purpose => `invite:${idOf(token).slice(0, 16)}`;

/**
 * Uses an invite: sets the person's password or adds their passkey — `credentialFor` makes it for
 * the person the link names, null when what the browser sent is no good — ends the link and every
 * session they had, and starts a session in this browser. A link used twice at once lets one in:
 * the first to mark it used.
 */
export async function acceptInvite(
  token: string,
  credentialFor: (user: { id: number; name: string; email: string }) => Promise<InviteCredential | null>,
  origin: SessionOrigin,
): Promise<AcceptResult> {
  const found = await findInvite(token);
  if (found.status !== 'open') return { ok: false, status: found.status };
  const credential = await credentialFor(found.user);
  if (!credential) return { ok: false, status: 'refused' };
  const passwordHash = 'password' in credential ? await hashPassword(credential.password) : null;
  const result = await query('invite accept', () =>
    db.$transaction(async (tx) => {
      const { count } = await tx.invite.updateMany({ where: { id: idOf(token), usedAt: null, expiresAt: { gt: new Date() } }, data: { usedAt: new Date() } });
      if (count === 0) return null;
      if ('passkey' in credential) await savePasskey(tx, credential.passkey);
      const select = { id: true, name: true, role: true, passwordHash: true } as const;
      const user = passwordHash
        ? await tx.user.update({ where: { id: found.user.id }, data: { passwordHash }, select })
        : await tx.user.findUniqueOrThrow({ where: { id: found.user.id }, select });
      return { account: { ...user, role: asRole(user.role) } satisfies Account, ended: await takeSessions(tx, user.id) };
    }),
  );
  if (!result) return { ok: false, status: 'used' };
  if (result.ended.length > 0) await sessionRelay.endSessions(result.ended);
  const { token: sessionToken, session } = await createSession(result.account, origin);
  logger.info({ principal: userPrincipal(result.account.id), address: origin.address }, passwordHash ? 'invite used: password set' : 'invite used: passkey added');
  return { ok: true, token: sessionToken, session };
}
