'use server';

import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { sameSecret } from '@/lib/auth';
import { createSession, SESSION_COOKIE } from '@/lib/auth/session';
import { env } from '@/lib/env';
import { log, requestIdOf } from '@/lib/log';
import { clientKey, limits } from '@/lib/rate-limit';

export type SignInState = { error?: string };

const FAILURE_DELAY_MS = 750;

export async function signIn(_previous: SignInState, formData: FormData): Promise<SignInState> {
  const requestHeaders = await headers();
  const verdict = await limits.logins.take(clientKey(requestHeaders));
  if (!verdict.ok) return { error: `Too many attempts. Try again in ${verdict.retryAfterSeconds} s.` };
  const password = formData.get('password');
  if (!env.ADMIN_PASSWORD || typeof password !== 'string' || !sameSecret(password, env.ADMIN_PASSWORD)) {
    log.warn({ requestId: requestIdOf(requestHeaders) }, 'sign-in failed');
    // Every failure costs the guesser time; together with the limit above, guessing is hopeless.
    await new Promise((resolve) => setTimeout(resolve, FAILURE_DELAY_MS));
    return { error: 'That password is not right.' };
  }
  const { token, expiresAt } = await createSession();
  (await cookies()).set(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure: requestHeaders.get('x-forwarded-proto') === 'https',
    path: '/',
    expires: expiresAt,
  });
  log.info({ requestId: requestIdOf(requestHeaders) }, 'signed in');
  redirect('/');
}

export async function signOut(): Promise<void> {
  (await cookies()).delete(SESSION_COOKIE);
  redirect('/login');
}
