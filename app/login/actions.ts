'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentCaller } from '@/lib/server/auth';
import { endAllSessions, endSession, SESSION_COOKIE, sessionPrincipal } from '@/lib/server/auth/sessions';
import { attemptSignIn, DEVICE_COOKIE, DEVICE_COOKIE_DAYS } from '@/lib/server/auth/sign-in';
import { logger, requestIdOf } from '@/lib/server/logger';
import { clientKey } from '@/lib/server/rate-limit';

export type SignInState = { error?: string };

export async function signIn(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const requestHeaders = await headers();
  const jar = await cookies();
  const requestId = requestIdOf(requestHeaders);
  const password = formData instanceof FormData ? formData.get('password') : null;
  const result = await attemptSignIn(password, clientKey(requestHeaders), jar.get(DEVICE_COOKIE)?.value);
  if (!result.ok) {
    logger.warn({ requestId, reason: result.reason }, result.reason === 'password' ? 'sign-in failed' : 'sign-in refused');
    return { error: result.error };
  }
  const secure = requestHeaders.get('x-forwarded-proto') === 'https';
  const cookie = { httpOnly: true, sameSite: 'lax', secure, path: '/' } as const;
  jar.set(SESSION_COOKIE, result.token, { ...cookie, expires: new Date(result.session.expiresAt) });
  jar.set(DEVICE_COOKIE, result.device, { ...cookie, maxAge: DEVICE_COOKIE_DAYS * 24 * 60 * 60 });
  logger.info({ requestId, principal: sessionPrincipal(result.session.id) }, 'signed in');
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

/** Ends every admin session, everywhere: for a leaked cookie, or a laptop left open. */
export async function signOutEverywhere(): Promise<void> {
  const caller = await currentCaller();
  if (!caller) redirect('/login');
  const count = await endAllSessions();
  (await cookies()).delete(SESSION_COOKIE);
  logger.info({ requestId: requestIdOf(await headers()), principal: caller.principal, sessions: count }, 'signed out everywhere');
  redirect('/login');
}
