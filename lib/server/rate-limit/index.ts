import 'server-only';
import type { Caller } from '@/lib/server/auth';
import { env } from '@/lib/server/env';
import { RateLimitedError } from '@/lib/server/errors';
import { createRedis, type RedisConnection } from '@/lib/server/redis';
import { rateKeyOf } from './client-key';
import { RedisRateLimiter, withTokenBuckets } from './redis-token-bucket';
import { MemoryStreamSlots, RedisStreamSlots, type Release, type StreamSlots } from './stream-slots';
import { type Limiter, RateLimiter } from './token-bucket';

// The process's allowances (in memory, or in Redis when REDIS_URL is set), their lifecycle, and
// the guards routes and actions call. The bucket itself: token-bucket.ts, redis-token-bucket.ts;
// who a request counts as: client-key.ts.

export { clientKey, rateKeyOf } from './client-key';

type Kind = 'writes' | 'streams' | 'refused' | 'signInsPerAddress' | 'passwordChecks' | 'accountGuesses' | 'knownDevices' | 'challenges';
type Limits = Record<Kind, Limiter> & { streamSlots: StreamSlots; redis?: RedisConnection; redisSlots?: RedisStreamSlots };

/**
 * Allowances per minute. Writes and streams are counted per principal (a signed-in person, all
 * their browsers together, or an API token: who asks, which no header changes); only what is
 * anonymous is counted per client address.
 * Wrong passwords are also counted for the whole server and for the account they tried, except
 * those from browsers that signed in to that account before (see lib/server/auth/sign-in.ts).
 */
const PER_MIN: Record<Kind, number> = {
  writes: env.RATE_LIMIT_WRITES_PER_MIN,
  streams: env.RATE_LIMIT_WRITES_PER_MIN,
  // Requests refused as unauthenticated, per address: a script that lost its token stops soon.
  refused: 60,
  // Sign-in attempts, right or wrong, per address: a handful is plenty for a person.
  signInsPerAddress: 10,
  // Wrong passwords checked, from all addresses together (right ones are refunded).
  passwordChecks: 10,
  // Wrong passwords checked against one account, from all addresses together.
  accountGuesses: 5,
  // Wrong passwords checked, per browser that signed in before.
  knownDevices: 10,
  // Passkey challenges, per challenge: one use, and its place comes back only after the challenge
  // has expired (lib/server/auth/passkeys.ts), so a challenge is used once on every instance.
  challenges: 1,
};

function byKind(make: (kind: Kind) => Limiter): Record<Kind, Limiter> {
  return {
    writes: make('writes'),
    streams: make('streams'),
    refused: make('refused'),
    signInsPerAddress: make('signInsPerAddress'),
    passwordChecks: make('passwordChecks'),
    accountGuesses: make('accountGuesses'),
    knownDevices: make('knownDevices'),
    challenges: make('challenges'),
  };
}

function createLimits(): Limits {
  const maxStreams = env.MAX_SSE_CONNECTIONS_PER_PRINCIPAL;
  if (!env.REDIS_URL) return { streamSlots: new MemoryStreamSlots(maxStreams), ...byKind((kind) => new RateLimiter(PER_MIN[kind])) };
  const redis = createRedis(env.REDIS_URL, 1_000);
  const client = withTokenBuckets(redis.client);
  const prefix = `${env.REDIS_KEY_PREFIX}rate:`;
  const redisSlots = new RedisStreamSlots(redis.client, `${env.REDIS_KEY_PREFIX}streams:`, maxStreams);
  return { redis, redisSlots, streamSlots: redisSlots, ...byKind((kind) => new RedisRateLimiter(client, `${prefix}${kind}:`, PER_MIN[kind])) };
}

const globalForLimits = globalThis as typeof globalThis & { rosterLimits?: Limits };

// On globalThis so actions and route handlers (separate bundles) count against the same buckets.
export const limits = (globalForLimits.rosterLimits ??= createLimits());

/** Connects the limits' Redis, if they use one (at start-up: throws when it is unreachable). */
export async function startLimits(): Promise<void> {
  await limits.redis?.connect();
  await limits.redisSlots?.start();
}

export function stopLimits(): void {
  limits.redisSlots?.stop();
  limits.redis?.client.disconnect();
}

async function assertWithin(limiter: Limiter, caller: Caller, headers: Headers): Promise<void> {
  const verdict = await limiter.take(rateKeyOf(caller, headers));
  if (!verdict.ok) throw new RateLimitedError(verdict.retryAfterSeconds);
}

/** Counts one write (create, edit or delete) against the caller's allowance. */
export const assertWriteAllowed = (caller: Caller, headers: Headers) => assertWithin(limits.writes, caller, headers);

/**
 * Counts one write against the allowance kept under `key` (rateKeyOf): a job's, long after its
 * request. The verdict, so the job can wait for the allowance rather than fail.
 */
export const takeWrite = (key: string) => limits.writes.take(key);

/** Counts one stream connection against the caller's allowance (the same rate as writes). */
export const assertStreamAllowed = (caller: Caller, headers: Headers) => assertWithin(limits.streams, caller, headers);

/** How long a client refused a stream for holding too many waits before it tries again. */
const STREAM_SLOT_RETRY_SECONDS = 30;

/**
 * A slot for one more open stream of the caller (MAX_SSE_CONNECTIONS_PER_PRINCIPAL, across every
 * instance with REDIS_URL); RateLimitedError when they hold that many. Release it when the stream ends.
 */
export async function claimStreamSlot(caller: Caller, headers: Headers): Promise<Release> {
  const release = await limits.streamSlots.claim(rateKeyOf(caller, headers));
  if (release) return release;
  throw new RateLimitedError(
    STREAM_SLOT_RETRY_SECONDS,
    `Too many open streams (${limits.streamSlots.max}) for one sign-in or token; close one, or poll /api/users`,
  );
}
