'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { setSessionCookies } from '@/lib/server/auth/cookies';
import { acceptInvite, INVITE_GONE } from '@/lib/server/auth/invites';
import { logger, requestIdOf } from '@/lib/server/logger';
import { clientKey } from '@/lib/server/rate-limit';
import { passwordSchema } from '@/lib/shared/validation';

export type InviteState = { error?: string; gone?: string };

/** Sets the invited person's password from the invite page and signs this browser in as them. */
export async function setPasswordFromInvite(_previous: InviteState, formData: FormData): Promise<InviteState> {
  const [token, given] = formData instanceof FormData ? [formData.get('token'), formData.get('password')] : [null, null];
  const password = passwordSchema.safeParse(given);
  if (!password.success) return { error: password.error.issues[0]?.message ?? 'Password is not valid' };
  const requestHeaders = await headers();
  const origin = { userAgent: requestHeaders.get('user-agent') ?? '', address: clientKey(requestHeaders) };
  const result = await acceptInvite(typeof token === 'string' ? token : '', password.data, origin);
  if (!result.ok) {
    logger.warn({ requestId: requestIdOf(requestHeaders), status: result.status, address: origin.address }, 'invite refused');
    return { gone: INVITE_GONE[result.status] };
  }
  await setSessionCookies(result.token, result.session);
  redirect('/');
}
