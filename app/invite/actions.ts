'use server';

import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { setSessionCookies } from '@/lib/server/auth/cookies';
import { acceptInvite, findInvite, INVITE_GONE, invitePurpose } from '@/lib/server/auth/invites';
import { checkNewPasskey, PASSKEY_FAILED, passkeyForm, registrationOptions, relyingParty } from '@/lib/server/auth/passkeys';
import { logger, requestIdOf } from '@/lib/server/logger';
import { clientKey } from '@/lib/server/rate-limit';
import { passwordSchema } from '@/lib/shared/validation';
import type { PasskeyDone, PasskeyStart } from '@/components/passkey-button';

export type InviteState = { error?: string; gone?: string };

/** Sets the invited person's password from the invite page and signs this browser in as them. */
export async function setPasswordFromInvite(_previous: InviteState, formData: FormData): Promise<InviteState> {
  const [token, given] = formData instanceof FormData ? [formData.get('token'), formData.get('password')] : [null, null];
  const password = passwordSchema.safeParse(given);
  if (!password.success) return { error: password.error.issues[0]?.message ?? 'Password is not valid' };
  const requestHeaders = await headers();
  const origin = { userAgent: requestHeaders.get('user-agent') ?? '', address: clientKey(requestHeaders) };
  const result = await acceptInvite(typeof token === 'string' ? token : '', async () => ({ password: password.data }), origin);
  if (!result.ok) {
    logger.warn({ requestId: requestIdOf(requestHeaders), status: result.status, address: origin.address }, 'invite refused');
    return result.status === 'refused' ? { error: 'Password is not valid' } : { gone: INVITE_GONE[result.status] };
  }
  await setSessionCookies(result.token, result.session);
  redirect('/');
}

/** The options for the browser to make the invited person's passkey. */
export async function invitePasskeyOptions(form: FormData): Promise<PasskeyStart<PublicKeyCredentialCreationOptionsJSON>> {
  const token = passkeyForm(form).arg;
  const invite = await findInvite(token);
  if (invite.status !== 'open') return { error: INVITE_GONE[invite.status] };
  return { options: await registrationOptions(invite.user, relyingParty(await headers()), invitePurpose(token)) };
}

/** Adds the passkey the browser made from invitePasskeyOptions's challenge, and signs this browser in as its person. */
export async function acceptInviteWithPasskey(form: FormData): Promise<PasskeyDone> {
  const { arg: token, response } = passkeyForm(form);
  const requestHeaders = await headers();
  const origin = { userAgent: requestHeaders.get('user-agent') ?? '', address: clientKey(requestHeaders) };
  // Checked for the person the link names, against the challenge made for this link.
  const result = await acceptInvite(
    token,
    async (user) => {
      const passkey = await checkNewPasskey(user.id, response, relyingParty(requestHeaders), invitePurpose(token));
      return passkey && { passkey };
    },
    origin,
  );
  if (!result.ok) return { error: result.status === 'refused' ? PASSKEY_FAILED : INVITE_GONE[result.status] };
  await setSessionCookies(result.token, result.session);
  redirect('/');
}
