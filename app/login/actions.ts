'use server';

import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { revalidatePath } from 'next/cache';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentCaller } from '@/lib/server/auth';
import { z } from 'zod';
import { endSession, endSessionById, endUserSessions, SESSION_COOKIE, sessionPrincipal } from '@/lib/server/auth/sessions';
import { setSessionCookies } from '@/lib/server/auth/cookies';
import { passkeyForm, relyingParty, signInOptions } from '@/lib/server/auth/passkeys';
import { attemptPasskeySignIn, attemptSignIn, DEVICE_COOKIE } from '@/lib/server/auth/sign-in';
import { logger, requestIdOf } from '@/lib/server/logger';
import { clientKey } from '@/lib/server/rate-limit';
import { userPrincipal } from '@/lib/shared/principal';
import type { PasskeyDone, PasskeyStart } from '@/components/passkey-button';

/** The form's state after a failed attempt: why, and the email to keep in its field. */
export type SignInState = { error?: string; email?: string };

export async function signIn(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const requestHeaders = await headers();
  const jar = await cookies();
  const requestId = requestIdOf(requestHeaders);
  const [email, password] = formData instanceof FormData ? [formData.get('email'), formData.get('password')] : [null, null];
  const origin = { userAgent: requestHeaders.get('user-agent') ?? '', address: clientKey(requestHeaders) };
  const result = await attemptSignIn(email, password, origin, jar.get(DEVICE_COOKIE)?.value);
  if (!result.ok) {
    // The account is named by its id when there is one; an email that is none stays out of the log.
    logger.warn({ requestId, reason: result.reason, userId: result.userId, address: origin.address }, result.reason === 'password' ? 'sign-in failed' : 'sign-in refused');
    return { error: result.error, email: typeof email === 'string' ? email.slice(0, 254) : '' };
  }
  await setSessionCookies(result.token, result.session, result.device);
  logger.info({ requestId, principal: userPrincipal(result.session.userId), session: sessionPrincipal(result.session.id), address: origin.address }, 'signed in');
  redirect('/');
}

/** The options for the browser to sign in with any passkey of this site. */
export async function passkeySignInOptions(): Promise<PasskeyStart<PublicKeyCredentialRequestOptionsJSON>> {
  return { options: await signInOptions(relyingParty(await headers())) };
}

/** Signs in with the browser's answer to passkeySignInOptions's challenge. */
export async function signInWithPasskey(form: FormData): Promise<PasskeyDone> {
  const requestHeaders = await headers();
  const jar = await cookies();
  const origin = { userAgent: requestHeaders.get('user-agent') ?? '', address: clientKey(requestHeaders) };
  const result = await attemptPasskeySignIn(passkeyForm(form).response, relyingParty(requestHeaders), origin, jar.get(DEVICE_COOKIE)?.value);
  if (!result.ok) {
    logger.warn({ requestId: requestIdOf(requestHeaders), reason: result.reason, userId: result.userId, address: origin.address }, result.reason === 'passkey' ? 'sign-in failed' : 'sign-in refused');
    return { error: result.error };
  }
  await setSessionCookies(result.token, result.session, result.device);
  logger.info({ requestId: requestIdOf(requestHeaders), principal: userPrincipal(result.session.userId), session: sessionPrincipal(result.session.id), address: origin.address, with: 'passkey' }, 'signed in');
  redirect('/');
}

/** Ends this browser's session on every instance (its other tabs' streams get `expired`). */
export async function signOut(): Promise<void> {
  const jar = await cookies();
  const ended = await endSession(jar.get(SESSION_COOKIE)?.value);
  jar.delete(SESSION_COOKIE);
  if (ended) logger.info({ requestId: requestIdOf(await headers()), principal: sessionPrincipal(ended) }, 'signed out');
  redirect('/login');
}

/** Ends every session of the signed-in person, everywhere: for a leaked cookie, or a laptop left open. */
export async function signOutEverywhere(): Promise<void> {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const count = caller.user ? await endUserSessions(caller.user.id) : 0;
  (await cookies()).delete(SESSION_COOKIE);
  logger.info({ requestId: requestIdOf(await headers()), principal: caller.principal, sessions: count }, 'signed out everywhere');
  redirect('/login');
}

/** The id of a session as the sessions page sends it: a SHA-256, base64url. */
const sessionIdSchema = z.string().regex(/^[\w-]{43}$/);

/**
 * Ends one session from the sessions page, on every instance (its streams get `expired`). Ending
 * this browser's own is signing out.
 */
export async function endOneSession(formData: FormData): Promise<void> {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const id = sessionIdSchema.safeParse(formData instanceof FormData ? formData.get('session') : null);
  if (!id.success) redirect('/account/sessions');
  const ended = caller.user ? await endSessionById(id.data, caller.user.id) : false;
  if (ended) logger.info({ requestId: requestIdOf(await headers()), principal: caller.principal, ended: sessionPrincipal(id.data) }, 'session ended');
  if (id.data === caller.sessionId) {
    (await cookies()).delete(SESSION_COOKIE);
    redirect('/login');
  }
  revalidatePath('/account/sessions');
  redirect('/account/sessions');
}
