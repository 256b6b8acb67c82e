import 'server-only';
import { env } from '@/lib/server/env';

/**
 * Production must not start open: without these the dashboard would let anyone read and delete
 * users. Returns what is missing, in words an operator can act on (empty when all is well).
 */
export function missingProductionSecrets(): string[] {
  if (process.env.NODE_ENV !== 'production') return env.ADMIN_PASSWORD && !env.SESSION_SECRET ? ['SESSION_SECRET'] : [];
  const missing: string[] = [];
  if (!env.ADMIN_PASSWORD) missing.push('ADMIN_PASSWORD');
  if (!env.SESSION_SECRET) missing.push('SESSION_SECRET');
  return missing;
}
