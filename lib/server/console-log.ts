import 'server-only';
import { format } from 'node:util';
import { logger } from './logger';

// In production every line Roster writes is one JSON object: what Next.js itself prints with
// console.error / console.warn (an error's stack, a warning) goes through pino as one line, the
// error serialised in it, instead of lines of a bare stack on stderr that a log pipeline would
// split into unrelated records. The request an error belongs to is logged with its id by
// onRequestError (instrumentation.ts).

function toLog(level: 'error' | 'warn') {
  return (...args: unknown[]) => {
    const err = args.find((arg): arg is Error => arg instanceof Error);
    const msg = format(...args.filter((arg) => arg !== err)).trim() || err?.message || level;
    logger[level](err ? { err } : {}, msg.replace(/^[⨯⚠]\s*/u, ''));
  };
}

export function consoleThroughLog(): void {
  console.error = toLog('error');
  console.warn = toLog('warn');
}

/** An error Next.js caught while serving a request (instrumentation.ts's onRequestError). */
export function logRequestError(
  error: unknown,
  request: { path: string; method: string; headers: Record<string, string | string[] | undefined> },
  context: { routePath: string; routeType: string },
): void {
  const requestId = request.headers['x-request-id'];
  const digest = typeof error === 'object' && error !== null && 'digest' in error ? String(error.digest) : undefined;
  logger.error({ err: error, requestId, method: request.method, path: request.path.split('?')[0], route: context.routePath, routeType: context.routeType, digest }, 'request failed');
}
