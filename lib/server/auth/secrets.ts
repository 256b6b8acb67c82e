import 'server-only';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/server/env';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Compares secrets in constant time (hashing first makes the lengths equal). */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/** A keyed hash (SESSION_SECRET) of `value`, base64url: stored or sent where the value itself must not be. */
export function keyedHash(value: string): string {
  if (!env.SESSION_SECRET) throw new Error('SESSION_SECRET is not set');
  return createHmac('sha256', env.SESSION_SECRET).update(value).digest('base64url');
}

// API_TOKEN is one token named after its variable; API_TOKENS adds named ones.
const tokens = [...(env.API_TOKEN ? [{ name: 'API_TOKEN', token: env.API_TOKEN }] : []), ...env.API_TOKENS].map(
  ({ name, token }) => ({ name, digest: digest(token) }),
);

/**
 * The name of the API token `bearer` is, or null. Every token is compared, in constant time, so
 * the answer's timing says nothing about which token came close.
 */
export function apiTokenName(bearer: string): string | null {
  const given = digest(bearer);
  let name: string | null = null;
  for (const token of tokens) if (timingSafeEqual(given, token.digest)) name = token.name;
  return name;
}
