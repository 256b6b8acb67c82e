import 'server-only';
import { randomBytes } from 'node:crypto';
import { limits } from '@/lib/server/rate-limit';
import type { Limiter } from '@/lib/server/rate-limit/token-bucket';
import { signInSchema } from '@/lib/shared/validation';
import { findAccount } from './accounts';
import { PASSKEY_FAILED, type RelyingParty, verifyPasskeySignIn } from './passkeys';
import { verifyPassword } from './password';
import { keyedHash, sameSecret } from './secrets';
import { createSession, type Session, type SessionOrigin } from './sessions';

// Checking a person's email and password, so that guessing stays hopeless from any number of
// addresses without a flood of guesses locking the real person out:
// - every attempt counts against its address (10 a minute);
// - a wrong password counts against the whole server (10 a minute) and against the account it
//   tried (5 a minute), taken before the password is compared, so parallel guesses cannot overrun
//   them; a right one gives its places back;
// - a browser that signed in to this account before carries a signed "known device" cookie and
//   counts against its own allowance instead, so a flood from elsewhere never locks its person out
//   (OWASP's device cookies, owasp.org/www-community/Slow_Down_Online_Guessing_Attacks_with_Device_Cookies).

export const DEVICE_COOKIE = 'roster_device';
/** Browsers cap cookie lifetimes at 400 days. */
export const DEVICE_COOKIE_DAYS = 400;
/** Every wrong password costs its sender this long, before the answer. */
const FAILURE_DELAY_MS = 750;

export type SignInResult =
  | { ok: true; token: string; session: Session; device: string }
  | { ok: false; error: string; reason: 'address' | 'server' | 'account' | 'device' | 'password' | 'passkey'; userId: number | null };

/** `<id>.<account>.<keyed hash of both>`: only this server can make one, for one account. */
const deviceCookie = (id: string, userId: number) => `${id}.${userId}.${keyedHash(`device:${id}:${userId}`)}`;

/** The id of a device that signed in to `userId` before, from its cookie; null for any other cookie. */
function knownDevice(cookie: string | undefined, userId: number | null): string | null {
  const id = cookie?.split('.')[0];
  return id && cookie && userId !== null && cookie.length < 200 && sameSecret(cookie, deviceCookie(id, userId)) ? id : null;
}

/** An allowance an attempt takes a place of before its password is checked. */
type Budget = { limiter: Limiter; key: string; reason: 'server' | 'account' | 'device' };

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const WRONG = 'That email and password do not match an account that can sign in.';

/**
 * Checks a sign-in attempt from `origin.address` (see clientKey) carrying `device`, and starts a
 * session of the account when its password is right. `device` in the answer is the cookie to set.
 */
export async function attemptSignIn(email: unknown, password: unknown, origin: SessionOrigin, device: string | undefined): Promise<SignInResult> {
  const perAddress = await limits.signInsPerAddress.take(`address:${origin.address}`);
  if (!perAddress.ok) return { ok: false, reason: 'address', userId: null, error: `Too many attempts. Try again in ${perAddress.retryAfterSeconds} s.` };

  const given = signInSchema.safeParse({ email, password });
  const account = given.success ? await findAccount(given.data.email) : null;
  const userId = account?.id ?? null;
  const known = knownDevice(device, userId);
  // Unknown browsers share the server's budget and the account's; a known one has its own.
  const budgets: Budget[] = known
    ? [{ limiter: limits.knownDevices, key: `device:${known}`, reason: 'device' as const }]
    : [
        { limiter: limits.passwordChecks, key: 'server', reason: 'server' as const },
        // Keyed by a hash: the limits' store (Redis) never holds an address someone typed.
        { limiter: limits.accountGuesses, key: `account:${keyedHash(`account:${given.success ? given.data.email : ''}`)}`, reason: 'account' as const },
      ];
  const taken: Budget[] = [];
  for (const budget of budgets) {
    const verdict = await budget.limiter.take(budget.key);
    if (!verdict.ok) {
      await Promise.all(taken.map((done) => done.limiter.refund(done.key)));
      const error =
        budget.reason === 'server'
          ? `Too many wrong passwords on this server just now. Try again in ${verdict.retryAfterSeconds} s, or from a browser that signed in here before.`
          : budget.reason === 'account'
            ? `Too many wrong passwords for this account just now. Try again in ${verdict.retryAfterSeconds} s, or from a browser that signed in to it before.`
            : `Too many attempts. Try again in ${verdict.retryAfterSeconds} s.`;
      return { ok: false, reason: budget.reason, userId, error };
    }
    taken.push(budget);
  }

  // The hash is checked even without an account (against one nothing matches): the time taken
  // does not tell which emails have accounts.
  const right = given.success && (await verifyPassword(given.data.password, account?.passwordHash ?? null));
  if (!right || !account || account.role === 'none') {
    await wait(FAILURE_DELAY_MS);
    return { ok: false, reason: 'password', userId, error: WRONG };
  }
  await Promise.all(taken.map((done) => done.limiter.refund(done.key)));
  const { token, session } = await createSession(account, origin);
  return { ok: true, token, session, device: deviceCookie(known ?? randomBytes(16).toString('base64url'), account.id) };
}

/**
 * Checks a passkey sign-in (the browser's answer to signInOptions's challenge) from
 * `origin.address`, and starts a session of its account. A passkey cannot be guessed, so only the
 * address's allowance counts; a wrong answer costs the same delay as a wrong password.
 */
export async function attemptPasskeySignIn(given: unknown, rp: RelyingParty, origin: SessionOrigin, device: string | undefined): Promise<SignInResult> {
  const perAddress = await limits.signInsPerAddress.take(`address:${origin.address}`);
  if (!perAddress.ok) return { ok: false, reason: 'address', userId: null, error: `Too many attempts. Try again in ${perAddress.retryAfterSeconds} s.` };
  const verdict = await verifyPasskeySignIn(given, rp);
  if (!verdict.account) {
    await wait(FAILURE_DELAY_MS);
    return { ok: false, reason: 'passkey', userId: verdict.userId, error: PASSKEY_FAILED };
  }
  const { account } = verdict;
  const { token, session } = await createSession(account, origin);
  return { ok: true, token, session, device: deviceCookie(knownDevice(device, account.id) ?? randomBytes(16).toString('base64url'), account.id) };
}
