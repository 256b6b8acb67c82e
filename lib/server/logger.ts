import 'server-only';
import pino from 'pino';

// Structured JSON logs on stdout. Secrets never reach a log line: nothing logs request bodies
// or headers, and these paths are redacted should an object that holds them be logged.
export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
  base: undefined,
  redact: ['password', 'token', 'headers.authorization', 'headers.cookie', '*.password', '*.token'],
});

export const REQUEST_ID_HEADER = 'x-request-id';

/** The id proxy.ts gave this request (or a fresh one when the request did not pass through it). */
export function requestIdOf(headers: Headers): string {
  return headers.get(REQUEST_ID_HEADER) ?? crypto.randomUUID();
}

/** A request path as logs may keep it: an invite link's token is a secret, like a password. */
export const loggablePath = (path: string): string => path.replace(/^\/invite\/[^/]+/, '/invite/[token]');
