import 'server-only';
import { env } from '@/lib/server/env';
import { passwordSchema } from '@/lib/shared/validation';

/**
 * Production must not start open: without these the dashboard would let anyone read and delete
 * users. Sign-in is on whenever ADMIN_PASSWORD is set, and then it needs the person it belongs to
 * (ADMIN_EMAIL) and a key for its secrets. Returns what is missing (empty when all is well).
 */
export function missingProductionSecrets(): string[] {
  const missing: string[] = [];
  if (process.env.NODE_ENV === 'production' && !env.ADMIN_PASSWORD) missing.push('ADMIN_PASSWORD');
  if ((env.ADMIN_PASSWORD || process.env.NODE_ENV === 'production') && !env.ADMIN_EMAIL) missing.push('ADMIN_EMAIL');
  if ((env.ADMIN_PASSWORD || process.env.NODE_ENV === 'production') && !env.SESSION_SECRET) missing.push('SESSION_SECRET');
  return missing;
}

/** What is wrong with ADMIN_PASSWORD as a password (the rule every password follows), or null. */
export function adminPasswordProblem(): string | null {
  if (!env.ADMIN_PASSWORD) return null;
  const checked = passwordSchema.safeParse(env.ADMIN_PASSWORD);
  return checked.success ? null : (checked.error.issues[0]?.message ?? 'Password is not valid');
}
