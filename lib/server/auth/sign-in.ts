import 'server-only';
import { randomBytes } from 'node:crypto';
import { env } from '@/lib/server/env';
import { limits } from '@/lib/server/rate-limit';
import { keyedHash, sameSecret } from './secrets';
import { createSession, type Session, type SessionOrigin } from './sessions';

// Checking the one admin password, so that guessing it stays hopeless from any number of
// addresses without a flood of guesses locking the admin out:
// - every attempt counts against its address (10 a minute);
// - a wrong password counts against the whole server (10 a minute), taken before the password is
//   compared, so parallel guesses cannot overrun it; a right one gives its place back;
// - a browser that signed in before carries a signed "known device" cookie and counts against its
//   own allowance instead of the server's, so a flood from elsewhere never locks it out (OWASP's
//   device cookies, owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies).

export const DEVICE_COOKIE = 'roster_device';
/** Browsers cap cookie lifetimes at 400 days. */
export const DEVICE_COOKIE_DAYS = 400;
/** Every wrong password costs its sender this long, before the answer. */
const FAILURE_DELAY_MS = 750;

export type SignInResult =
  | { ok: true; token: string; session: Session; device: string }
  | { ok: false; error: string; reason: 'address' | 'server' | 'device' | 'password' };

/** `<id>.<keyed hash of id>`: only this server can make one. */
const deviceCookie = (id: string) => `${id}.${keyedHash(`device:${id}`)}`;

/** The id of a known device from its cookie, or null when there is none or it is not ours. */
function knownDevice(cookie: string | undefined): string | null {
  const id = cookie?.split('.')[0];
  return id && cookie && cookie.length < 200 && sameSecret(cookie, deviceCookie(id)) ? id : null;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks a sign-in attempt from `origin.address` (see clientKey) carrying `deviceCookie`, and
 * starts a session when the password is right. `device` is the cookie to set (new or renewed).
 */
export async function attemptSignIn(password: unknown, origin: SessionOrigin, device: string | undefined): Promise<SignInResult> {
  const { address } = origin;
  const perAddress = await limits.signInsPerAddress.take(`address:${address}`);
  if (!perAddress.ok) return { ok: false, reason: 'address', error: `Too many attempts. Try again in ${perAddress.retryAfterSeconds} s.` };

  const known = knownDevice(device);
  const [budget, key] = known ? [limits.knownDevices, `device:${known}`] : [limits.passwordChecks, 'server'];
  const verdict = await budget.take(key);
  if (!verdict.ok) {
    const error = known
      ? `Too many attempts. Try again in ${verdict.retryAfterSeconds} s.`
      : `Too many wrong passwords on this server just now. Try again in ${verdict.retryAfterSeconds} s, or from a browser that signed in here before.`;
    return { ok: false, reason: known ? 'device' : 'server', error };
  }

  if (!env.ADMIN_PASSWORD || typeof password !== 'string' || !sameSecret(password, env.ADMIN_PASSWORD)) {
    await wait(FAILURE_DELAY_MS);
    return { ok: false, reason: 'password', error: 'That password is not right.' };
  }
  await budget.refund(key);
  const { token, session } = await createSession(origin);
  return { ok: true, token, session, device: deviceCookie(known ?? randomBytes(16).toString('base64url')) };
}
