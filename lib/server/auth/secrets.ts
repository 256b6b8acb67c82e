import 'server-only';
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { env } from '@/lib/server/env';
import type { Role } from '@/lib/shared/roles';

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

// API_TOKEN is one token named after its variable, with today's full access (admin); API_TOKENS
// adds named ones, each with its role (editor unless its entry says otherwise).
const tokens = [...(env.API_TOKEN ? [{ name: 'API_TOKEN', token: env.API_TOKEN, role: 'admin' as const }] : []), ...env.API_TOKENS].map(
  ({ name, token, role }) => ({ name, role, digest: digest(token) }),
);

/**
 * The API token `bearer` is (its name and role), or null. Every token is compared, in constant
 * time, so the answer's timing says nothing about which token came close.
 */
export function apiToken(bearer: string): { name: string; role: Role } | null {
  const given = digest(bearer);
  let found: { name: string; role: Role } | null = null;
  for (const token of tokens) if (timingSafeEqual(given, token.digest)) found = { name: token.name, role: token.role };
  return found;
}
