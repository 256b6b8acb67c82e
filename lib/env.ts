import 'server-only';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from './db/url';

// The environment, parsed once. Every variable has a default that works on a fresh machine.
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  /** Recent events kept for replay to clients that reconnect with their last event id. */
  EVENT_LOG_SIZE: count(1_000),
  /** Open SSE streams per instance; past it /events answers 503 and clients poll instead. */
  MAX_SSE_CONNECTIONS: count(10_000),
  /** Bytes queued for one stream before its client counts as too slow and is disconnected. */
  SSE_MAX_QUEUE_BYTES: count(256 * 1024),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
  throw new Error(`Invalid environment:\n${problems}\nFix these variables (see README, "Configuration").`);
}

export const env = parsed.data;
