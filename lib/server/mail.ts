import 'server-only';
import { createTransport, type Mail } from 'nodemailer';
import { env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';

// E-mail, through nodemailer to the SMTP server SMTP_URL names (smtp://, or smtps:// for TLS from
// the start; STARTTLS is used whenever the server offers it). Only invites are e-mailed.

const globalForMail = globalThis as typeof globalThis & { rosterMail?: Mail };

function transport(url: string): Mail {
  // A slow or unreachable server costs the admin who clicked "Invite" seconds, not a minute.
  return (globalForMail.rosterMail ??= createTransport({ url, connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 10_000 }));
}

/** What became of an invite's e-mail: sent, failed (the link still works: copy it), or off (no SMTP_URL). */
export type MailOutcome = 'sent' | 'failed' | 'off';

export type InviteMail = { to: { name: string; email: string }; invitedBy: string; role: string; url: string; expiresAt: Date };

/** Whether e-mail is set up (SMTP_URL): without it, nothing is sent and nothing need be looked up for it. */
export const mailConfigured = (): boolean => Boolean(env.SMTP_URL);

export async function mailInvite({ to, invitedBy, role, url, expiresAt }: InviteMail): Promise<MailOutcome> {
  if (!env.SMTP_URL) return 'off';
  const until = `${expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  try {
    await transport(env.SMTP_URL).sendMail({
      from: env.SMTP_FROM,
      to: { name: to.name, address: to.email },
      subject: `${invitedBy} invited you to Roster`,
      text: [
        `Hello ${to.name},`,
        '',
        `${invitedBy} invited you to Roster, the user directory, as ${role}. Open this link to set your password or register a passkey, and you are signed in:`,
        '',
        url,
        '',
        `The link works once, until ${until}. If you did not expect this e-mail, ignore it: nothing happens until the link is opened.`,
      ].join('\n'),
    });
    return 'sent';
  } catch (error) {
    logger.warn({ err: error }, 'invite e-mail not sent');
    return 'failed';
  }
}
