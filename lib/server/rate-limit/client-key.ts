import 'server-only';
import type { Caller } from '@/lib/server/auth';
import { env } from '@/lib/server/env';

// Who a request is counted as: the principal, or the address of an anonymous client.

/**
 * The client's address. Next.js fills X-Forwarded-For with the peer address only when the request
 * has none, so the right-most entry is what the nearest proxy (or Next.js) saw; with several
 * trusted proxies, the client is TRUSTED_PROXY_HOPS entries from the right.
 */
export function clientKey(headers: Headers): string {
  const hops = (headers.get('x-forwarded-for') ?? '').split(',').map((part) => part.trim());
  return hops[hops.length - Math.max(1, env.TRUSTED_PROXY_HOPS)] || 'unknown';
}

/** What a caller's writes and streams are counted under: who they are, or their address when anonymous. */
export function rateKeyOf(caller: Caller, headers: Headers): string {
  return caller.via === 'open' ? `address:${clientKey(headers)}` : caller.principal;
}
