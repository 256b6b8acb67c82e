import 'server-only';
import { z } from 'zod';
import { DEFAULT_DATABASE_URL } from '@/lib/server/db/url';
import type { Role } from '@/lib/shared/roles';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from '@/lib/shared/jobs';
import { userInputSchema } from '@/lib/shared/validation';

// The environment, parsed once. Every variable has a default that works on a fresh machine;
// production additionally needs the secrets checked in lib/server/auth/config.ts at start-up.
const count = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
const optional = z
  .string()
  .optional()
  .transform((value) => value || undefined);

export type ApiToken = { name: string; token: string; role: Role };

/** What a token of API_TOKENS may do when its entry names no role: create, edit and delete users. */
const DEFAULT_TOKEN_ROLE: Role = 'editor';

/** `name:token[:role]` entries: a name of letters, digits, `.`, `_` or `-`; a token of 16+ characters; viewer, editor (the default) or admin. */
function parseApiTokens(value: string, context: z.RefinementCtx): ApiToken[] {
  const tokens = value
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((pair) => {
      const colon = pair.indexOf(':');
      if (colon === -1) return { name: '', token: '', role: DEFAULT_TOKEN_ROLE };
      const [name, rest] = [pair.slice(0, colon), pair.slice(colon + 1)];
      // An optional `:role` at the end; a token's own colons stay its own.
      const role = /:(viewer|editor|admin)$/.exec(rest)?.[1] as Role | undefined;
      return { name, token: role ? rest.slice(0, -role.length - 1) : rest, role: role ?? DEFAULT_TOKEN_ROLE };
    });
  const names = new Set<string>();
  for (const [index, { name, token }] of tokens.entries()) {
    // Name the entry by position: its text holds a secret, which must not reach an error message.
    if (!/^[\w.-]{1,64}$/.test(name)) context.addIssue({ code: 'custom', message: `entry ${index + 1} must be name:token (name: letters, digits, . _ -)` });
    else if (token.length < 16) context.addIssue({ code: 'custom', message: `the token named ${name} must be at least 16 characters` });
    else if (names.has(name) || name === 'API_TOKEN') context.addIssue({ code: 'custom', message: `the name ${name} is taken (API_TOKEN is the single token's)` });
    names.add(name);
  }
  return tokens;
}

const schema = z.object({
  DATABASE_URL: z.string().min(1).default(DEFAULT_DATABASE_URL),
  /** Redis for fan-out across instances (redis://[:password@]host:port[/db]); unset: this process only. */
  REDIS_URL: optional,
  /** Prefix of Roster's Redis keys, so several deployments can share one Redis. */
  REDIS_KEY_PREFIX: z.string().default('roster:'),
  /** Newest events each instance keeps in memory for replay; older ones are replayed from the database. */
  EVENT_LOG_SIZE: count(1_000),
  /** Days the event log (the audit trail) keeps a change; older ones are pruned hourly. */
  EVENT_RETENTION_DAYS: count(90),
  /** Open SSE streams per instance; past it /events answers 503 and clients poll instead. */
  MAX_SSE_CONNECTIONS: count(10_000),
  /** Open streams per principal (session, token, or anonymous address); default a tenth of MAX_SSE_CONNECTIONS, at least 20. */
  MAX_SSE_CONNECTIONS_PER_PRINCIPAL: z.coerce.number().int().min(1).optional(),
  /** Bytes queued for one stream before its client counts as too slow and is disconnected. */
  SSE_MAX_QUEUE_BYTES: count(256 * 1024),
  /** Seconds a stream may go without bytes before it gets a heartbeat comment (proxies drop idle connections). */
  SSE_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).default(15),
  /** The first admin's password (8–128 characters, checked at start-up); unset in development means sign-in is off. */
  ADMIN_PASSWORD: optional,
  /** The first admin's email: made (or kept) an admin with ADMIN_PASSWORD at every start. */
  ADMIN_EMAIL: optional.pipe(userInputSchema.shape.email.optional()),
  /** The first admin's name, when start-up creates them. */
  ADMIN_NAME: optional.pipe(userInputSchema.shape.name.optional()).transform((name) => name ?? 'Admin'),
  /** Keys what the server keeps of sessions and signs known-device cookies: at least 32 characters. */
  SESSION_SECRET: optional.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
  /** One bearer token for scripts, named "API_TOKEN" in limits and logs (API_TOKENS names several). */
  API_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** A bearer token for Prometheus's scrapes of /api/metrics alone (admins and admin tokens may read it too). */
  METRICS_TOKEN: optional.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
  /** Named bearer tokens, `name:token` separated by commas or spaces, so limits and logs tell scripts apart. */
  API_TOKENS: z.string().default('').transform(parseApiTokens),
  SESSION_TTL_SECONDS: count(8 * 60 * 60),
  /** Writes, and stream connections, per minute for each session or API token; 0 turns the limit off. */
  RATE_LIMIT_WRITES_PER_MIN: count(120),
  /**
   * The origin passkeys are bound to (`https://roster.example.org`): its host is the WebAuthn
   * relying party. Unset, the origin each request came to (fine for one name; set it behind a proxy).
   */
  WEBAUTHN_ORIGIN: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Where invite links are e-mailed from (`smtp://user:pass@host:587`); unset, invites are only shown as a link. */
  SMTP_URL: optional.pipe(z.url({ protocol: /^smtps?$/ }).optional()),
  /** The sender of invite e-mails. */
  SMTP_FROM: z.string().default('Roster <roster@localhost>'),
  /** Reverse proxies in front of the app that append to X-Forwarded-For (1 behind nginx). */
  TRUSTED_PROXY_HOPS: count(0),
  /** The largest CSV file an import takes, in bytes (413 past it). */
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1).default(IMPORT_MAX_BYTES),
  /** The most rows one import reads; past it, it stops and says so. */
  IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(IMPORT_MAX_ROWS),
  /** How long a queued or running job's instance may go unheard before the job is marked failed (interrupted). */
  JOB_TIMEOUT_SECONDS: z.coerce.number().int().min(1).default(60),
  /** An OTLP/HTTP receiver (`http://collector:4318`): traces are sent there (lib/server/tracing-sdk.ts); unset, none are made. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  /** Milliseconds between two exports of finished spans (OpenTelemetry's variable; its SDK no longer reads it itself). */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).default(5_000),
});

const parsed = schema.safeParse(process.env);
if (!parsed.success) {
  const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
  throw new Error(`Invalid environment:\n${problems}\nFix these variables (see README, "Configuration").`);
}

export const env = {
  ...parsed.data,
  MAX_SSE_CONNECTIONS_PER_PRINCIPAL: parsed.data.MAX_SSE_CONNECTIONS_PER_PRINCIPAL ?? Math.max(20, Math.floor(parsed.data.MAX_SSE_CONNECTIONS / 10)),
};
