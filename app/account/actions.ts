'use server';

import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { currentCaller } from '@/lib/server/auth';
import { findProfile } from '@/lib/server/auth/accounts';
import { addPasskey, PASSKEY_FAILED, passkeyForm, PASSKEY_LIMIT, registrationOptions, relyingParty, removePasskey } from '@/lib/server/auth/passkeys';
import { logger, requestIdOf } from '@/lib/server/logger';
import type { PasskeyDone, PasskeyStart } from '@/components/passkey-button';

// The account page's passkeys: add one (two steps: the browser's options, then its answer) and remove one.

const SIGNED_OUT = 'You are signed out. Sign in again to manage your passkeys.';

/** The options for the browser to make a passkey for the signed-in person. */
export async function addPasskeyOptions(): Promise<PasskeyStart<PublicKeyCredentialCreationOptionsJSON>> {
  const caller = await currentCaller();
  const account = caller?.user ? await findProfile(caller.user.id) : null;
  if (!account) return { error: SIGNED_OUT };
  return { options: await registrationOptions(account, relyingParty(await headers())) };
}

/** Stores the passkey the browser made from addPasskeyOptions's challenge. */
export async function finishAddPasskey(form: FormData): Promise<PasskeyDone> {
  const caller = await currentCaller();
  if (!caller?.user) return { error: SIGNED_OUT };
  const requestHeaders = await headers();
  const result = await addPasskey(caller.user.id, passkeyForm(form).response, relyingParty(requestHeaders));
  if (result !== 'added') return { error: result === 'full' ? PASSKEY_LIMIT : PASSKEY_FAILED };
  logger.info({ requestId: requestIdOf(requestHeaders), principal: caller.principal }, 'passkey added');
  revalidatePath('/account');
  return { done: 'Passkey added. You can sign in with it now.' };
}

/** A passkey's id as the account page sends it: base64url. */
const passkeyIdSchema = z.string().max(1400).regex(/^[\w-]+$/);

/** Removes one of the signed-in person's passkeys (a form: works without JavaScript). */
export async function removePasskeyAction(formData: FormData): Promise<void> {
  const caller = await currentCaller();
  if (!caller?.user) redirect('/login');
  const id = passkeyIdSchema.safeParse(formData instanceof FormData ? formData.get('passkey') : null);
  if (id.success && (await removePasskey(id.data, caller.user.id))) {
    logger.info({ requestId: requestIdOf(await headers()), principal: caller.principal }, 'passkey removed');
  }
  revalidatePath('/account');
  redirect('/account');
}
