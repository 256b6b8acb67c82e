import 'server-only';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from './db/url';

// The environment, parsed once. Every variable has a default that works on a fresh machine;
// production additionally needs the secrets checked in lib/auth/config.ts at start-up.
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((value) => value || undefined);

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  /** Redis for fan-out across instances (redis://[:password@]host:port[/db]); unset: this process only. */
  REDIS_URL: optional,
  /** Prefix of Roster's Redis keys, so several deployments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().default('roster:'),
  /** Recent events kept for replay to clients that reconnect with their last event id. */
  EVENT_LOG_SIZE: count(1_000),
  /** Open SSE streams per instance; past it /events answers 503 and clients poll instead. */
  MAX_SSE_CONNECTIONS: count(10_000),
  /** Bytes queued for one stream before its client counts as too slow and is disconnected. */
  SSE_MAX_QUEUE_BYTES: count(256 * 1024),
  /** The admin password; unset in development means authentication is off. */
  ADMIN_PASSWORD: optional,
  /** Signs session cookies: at least 32 characters. */
  SESSION_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** Bearer token for scripts calling the API and the stream; unset means no token is accepted. */
  API_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  SESSION_TTL_SECONDS: count(8 * 60 * 60),
  /** Creates, deletes and stream connections per client and minute; 0 turns the limit off. */
  RATE_LIMIT_WRITES_PER_MIN: count(120),
  /** Reverse proxies in front of the app that append to X-Forwarded-For (1 behind nginx). */
  TRUSTED_PROXY_HOPS: count(0),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
  throw new Error(`Invalid environment:\n${problems}\nFix these variables (see README, "Configuration").`);
}

export const env = parsed.data;
