import 'server-only';
import { randomBytes } from 'node:crypto';
import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';
import { z } from 'zod';
import { siteOrigin } from '@/lib/server/cross-site';
import { db, query, type Tx } from '@/lib/server/db';
import { env } from '@/lib/server/env';
import { logger } from '@/lib/server/logger';
import { limits } from '@/lib/server/rate-limit';
import { asRole } from '@/lib/shared/roles';
import { keyedHash, sameSecret } from './secrets';
import type { Account } from './sessions';

// Passkeys (WebAuthn), through SimpleWebAuthn: a person registers one on their account page (or
// from an invite) and signs in with it without typing anything. The server keeps each passkey's
// public key and signature counter, never a secret.
//
// A ceremony's challenge carries its own proof instead of a server-side record: random bytes, when
// it expires, what it is for (signing in, or adding a passkey to one person), and a keyed hash of
// the three. So any instance can check it, and a challenge made to add a passkey to one person
// cannot add it to another. The `challenges` limit holds one place per challenge for longer than
// it lives, so each is used once, on every instance (with REDIS_URL).

/** How long a browser has to answer a challenge (WebAuthn's recommended default, and the limit's refill time). */
const CEREMONY_MS = 60_000;
/** A person keeps at most this many passkeys: the account page lists them all. */
export const MAX_PASSKEYS = 20;

export const PASSKEY_FAILED = 'That passkey could not be checked. Try again, or sign in with your password.';
export const PASSKEY_LIMIT = `You have ${MAX_PASSKEYS} passkeys already. Remove one before adding another.`;

/** The site passkeys are made for: its RP ID (a host name) and the origin browsers must report. */
export type RelyingParty = { id: string; origin: string };

export function relyingParty(headers: Headers): RelyingParty {
  const url = new URL(env.WEBAUTHN_ORIGIN ?? siteOrigin(headers));
  return { id: url.hostname, origin: url.origin };
}

/** What a challenge may be used for. */
export type Purpose = 'sign-in' | `add:${number}` | `invite:${string}`;

function makeChallenge(purpose: Purpose): string {
  const body = `${randomBytes(16).toString('base64url')}.${Date.now() + CEREMONY_MS}.${purpose}`;
  return `${body}.${keyedHash(`webauthn:${body}`)}`;
}

/** Whether `challenge` (base64url, as the browser signed it) is ours, for `purpose`, unexpired and unused. */
async function challengeHolds(challenge: string, purpose: Purpose): Promise<boolean> {
  const text = Buffer.from(challenge, 'base64url').toString('utf8');
  const cut = text.lastIndexOf('.');
  const [body, mac] = [text.slice(0, cut), text.slice(cut + 1)];
  const [nonce, until, ...rest] = body.split('.');
  if (cut < 0 || !nonce || rest.join('.') !== purpose || !sameSecret(mac, keyedHash(`webauthn:${body}`))) return false;
  if (!(Number(until) > Date.now())) return false;
  return (await limits.challenges.take(`challenge:${nonce}`)).ok;
}

/** A passkey step's form (components/passkey-button.tsx): its `arg`, and the browser's answer parsed (undefined when it is not JSON). */
export function passkeyForm(form: unknown): { arg: string; response: unknown } {
  if (!(form instanceof FormData)) return { arg: '', response: undefined };
  const [arg, response] = [form.get('arg'), form.get('response')];
  let parsed: unknown;
  try {
    parsed = typeof response === 'string' && response.length < 64 * 1024 ? (JSON.parse(response) as unknown) : undefined;
  } catch {
    parsed = undefined;
  }
  return { arg: typeof arg === 'string' ? arg : '', response: parsed };
}

const base64url = z.string().max(4096).regex(/^[\w-]*$/);

/** A browser's answer, as @simplewebauthn/browser sends it; anything else is refused before it is parsed. */
const credentialShape = {
  id: base64url,
  rawId: base64url,
  type: z.literal('public-key'),
  clientExtensionResults: z.object({}).loose(),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
};
const transport = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
const registrationSchema = z.object({
  ...credentialShape,
  response: z.object({ clientDataJSON: base64url, attestationObject: base64url, transports: z.array(transport).max(10).optional() }),
});
const authenticationSchema = z.object({
  ...credentialShape,
  response: z.object({ clientDataJSON: base64url, authenticatorData: base64url, signature: base64url, userHandle: base64url.optional() }),
});

/** The options for adding a passkey to `user` (for the browser's navigator.credentials.create). */
export async function registrationOptions(user: { id: number; name: string; email: string }, rp: RelyingParty, purpose: Purpose = `add:${user.id}`): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const existing = await query('passkey list', () => db.passkey.findMany({ where: { userId: user.id }, select: { id: true, transports: true }, take: MAX_PASSKEYS }));
  return generateRegistrationOptions({
    rpName: 'Roster',
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: new TextEncoder().encode(`roster:${user.id}`),
    challenge: makeChallenge(purpose),
    timeout: CEREMONY_MS,
    attestationType: 'none',
    // Discoverable, so signing in needs no email: the browser offers the passkeys it holds for this site.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    excludeCredentials: existing.map((passkey) => ({ id: passkey.id, transports: passkey.transports ? passkey.transports.split(',') : undefined })),
  });
}

/** A new passkey, checked: what is stored of it. */
export type NewPasskey = { id: string; userId: number; publicKey: Uint8Array<ArrayBuffer>; counter: bigint; transports: string; synced: boolean };

/** Checks a browser's answer to a challenge made to add a passkey for `userId`; null when it is not a valid one. */
export async function checkNewPasskey(userId: number, given: unknown, rp: RelyingParty, purpose: Purpose): Promise<NewPasskey | null> {
  const parsed = registrationSchema.safeParse(given);
  if (!parsed.success) return null;
  try {
    const verified = await verifyRegistrationResponse({
      response: parsed.data satisfies RegistrationResponseJSON,
      expectedChallenge: (challenge) => challengeHolds(challenge, purpose),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
    if (!verified.verified) return null;
    const { credential, credentialDeviceType } = verified.registrationInfo;
    return {
      id: credential.id,
      userId,
      publicKey: credential.publicKey,
      counter: BigInt(credential.counter),
      transports: (credential.transports ?? []).join(','),
      synced: credentialDeviceType === 'multiDevice',
    };
  } catch (error) {
    logger.warn({ err: error, userId }, 'passkey registration refused');
    return null;
  }
}

/** Stores a checked passkey, unless its person has MAX_PASSKEYS already (false) or it is stored already. */
export async function savePasskey(tx: Tx, passkey: NewPasskey): Promise<boolean> {
  if ((await tx.passkey.count({ where: { userId: passkey.userId } })) >= MAX_PASSKEYS) return false;
  if (await tx.passkey.findUnique({ where: { id: passkey.id }, select: { id: true } })) return false;
  await tx.passkey.create({ data: passkey });
  return true;
}

/** Checks and stores a new passkey of `userId` from their account page. */
export async function addPasskey(userId: number, given: unknown, rp: RelyingParty): Promise<'added' | 'invalid' | 'full'> {
  const passkey = await checkNewPasskey(userId, given, rp, `add:${userId}`);
  if (!passkey) return 'invalid';
  return (await query('passkey add', () => db.$transaction((tx) => savePasskey(tx, passkey)))) ? 'added' : 'full';
}

/** A passkey as the account page lists it. */
export type PasskeySummary = { id: string; synced: boolean; createdAt: Date; lastUsedAt: Date | null };

export function listPasskeys(userId: number): Promise<PasskeySummary[]> {
  return query('passkey list', () =>
    db.passkey.findMany({ where: { userId }, orderBy: { createdAt: 'asc' }, take: MAX_PASSKEYS, select: { id: true, synced: true, createdAt: true, lastUsedAt: true } }),
  );
}

/** Removes one of `userId`'s passkeys; false when they have none with that id. */
export async function removePasskey(id: string, userId: number): Promise<boolean> {
  const { count } = await query('passkey remove', () => db.passkey.deleteMany({ where: { id, userId } }));
  return count > 0;
}

/** The options for signing in with any passkey this site made (navigator.credentials.get). */
export function signInOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  return generateAuthenticationOptions({ rpID: rp.id, challenge: makeChallenge('sign-in'), timeout: CEREMONY_MS, userVerification: 'preferred' });
}

/**
 * The account a browser's passkey answer signs in, or why not: an unknown passkey, a wrong or reused
 * challenge, a bad signature, a counter gone backwards, or a person without a role (with the
 * passkey's person, for the log, when the passkey is known).
 */
export async function verifyPasskeySignIn(given: unknown, rp: RelyingParty): Promise<{ account: Account } | { account: null; userId: number | null }> {
  const refused = (userId: number | null = null) => ({ account: null, userId });
  const parsed = authenticationSchema.safeParse(given);
  if (!parsed.success) return refused();
  const passkey = await query('passkey lookup', () =>
    db.passkey.findUnique({
      where: { id: parsed.data.id },
      select: { id: true, publicKey: true, counter: true, transports: true, user: { select: { id: true, name: true, role: true, passwordHash: true } } },
    }),
  );
  if (!passkey) return refused();
  if (asRole(passkey.user.role) === 'none') return refused(passkey.user.id);
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response: parsed.data satisfies AuthenticationResponseJSON,
      expectedChallenge: (challenge) => challengeHolds(challenge, 'sign-in'),
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
      credential: {
        id: passkey.id,
        publicKey: new Uint8Array(passkey.publicKey),
        counter: Number(passkey.counter),
        transports: passkey.transports ? (passkey.transports.split(',') as z.infer<typeof transport>[]) : undefined,
      },
    });
  } catch (error) {
    logger.warn({ err: error, userId: passkey.user.id }, 'passkey sign-in refused');
    return refused(passkey.user.id);
  }
  if (!verified.verified) return refused(passkey.user.id);
  await query('passkey used', () =>
    db.passkey.update({ where: { id: passkey.id }, data: { counter: BigInt(verified.authenticationInfo.newCounter), lastUsedAt: new Date() } }),
  );
  return { account: { ...passkey.user, role: asRole(passkey.user.role) } };
}
