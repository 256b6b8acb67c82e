import 'server-only';
import { callerOf, type Caller } from './auth';
import { sameSecret } from './auth/secrets';
import { env } from './env';
import { canManageAccess, canWrite, VIEWER_MESSAGE } from '@/lib/shared/roles';
import type { UserDTO } from '@/lib/shared/dto';
import { userIdSchema } from '@/lib/shared/validation';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  PreconditionRequiredError,
  RateLimitedError,
  ServiceUnavailableError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors';
import { crossSite } from './cross-site';
import { CursorError } from '@/lib/shared/directory/cursor';
import { logger, requestIdOf } from './logger';
import { assertWriteAllowed, clientKey, limits, rateKeyOf } from './rate-limit';
import type { Actor } from './users';

/** Largest request body the API reads; a user is well under 1 KB. */
export const MAX_BODY_BYTES = 10 * 1024;

/**
 * What the checks below read of a request: its head. `npm start` serves presence reports from
 * node:http with just this (lib/server/events/node-server.ts); a Web Request is one.
 */
export type RequestHead = Pick<Request, 'headers' | 'method' | 'url'>;

type ErrorBody = { error: string; fieldErrors?: Record<string, string[] | undefined>; user?: UserDTO };

function json(body: ErrorBody, status: number, headers?: HeadersInit): Response {
  return Response.json(body, { status, headers });
}

/**
 * Maps any error to a JSON response. Expected errors say what to fix; anything else is logged
 * once, with the request id, and answered without details (no stack trace, no SQL).
 */
export function errorResponse(error: unknown, request: RequestHead): Response {
  if (error instanceof ValidationError) return json({ error: 'Invalid input', fieldErrors: error.fieldErrors }, 400);
  if (error instanceof ConflictError) return json({ error: error.message, fieldErrors: error.fieldErrors }, 409);
  if (error instanceof NotFoundError) return json({ error: error.message }, 404);
  if (error instanceof CursorError) return json({ error: 'Invalid input', fieldErrors: { cursor: [error.message] } }, 400);
  if (error instanceof PreconditionFailedError) {
    return json({ error: error.message, user: error.current }, 412, { ETag: versionTag(error.current.version) });
  }
  if (error instanceof PreconditionRequiredError) return json({ error: error.message }, 428);
  if (error instanceof UnauthorizedError) {
    return json({ error: error.message }, 401, { 'WWW-Authenticate': 'Bearer realm="roster"' });
  }
  if (error instanceof ForbiddenError) return json({ error: error.message }, 403);
  if (error instanceof PayloadTooLargeError) return json({ error: error.message }, 413);
  if (error instanceof UnsupportedMediaTypeError) return json({ error: error.message }, 415);
  if (error instanceof RateLimitedError) {
    return json({ error: error.message }, 429, { 'Retry-After': String(error.retryAfterSeconds) });
  }
  if (error instanceof ServiceUnavailableError) return json({ error: error.message }, 503, { 'Retry-After': '5' });
  logger.error({ err: error, requestId: requestIdOf(request.headers), path: new URL(request.url).pathname }, 'unhandled error');
  return json({ error: 'Internal server error' }, 500);
}

/**
 * Whether If-None-Match names `etag`: any tag of its list, weak (`W/"…"`, as proxies that
 * compress make them) or strong, or `*`.
 */
export function notModified(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match');
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}

/** A user's ETag: its version, which every edit raises. */
export function versionTag(version: number): string {
  return `"${version}"`;
}

/**
 * The version an If-Match header names (`"3"`, or `W/"3"`): PreconditionRequiredError without
 * one, and 0 (which no user has, so the edit gets 412) for a tag that is not a version.
 */
export function ifMatchVersion(request: Request): number {
  const header = request.headers.get('if-match');
  if (header === null || header.trim() === '') throw new PreconditionRequiredError();
  const match = /^\s*(?:W\/)?"([1-9]\d{0,9})"\s*$/.exec(header);
  return match?.[1] ? Number(match[1]) : 0;
}

/**
 * The authenticated caller, or UnauthorizedError — RateLimitedError once the client's address has
 * been refused too often: someone trying tokens or cookies is anonymous, so counted by address.
 */
export async function requireCaller(request: RequestHead): Promise<Caller> {
  const caller = await callerOf(request);
  if (caller) return caller;
  const verdict = await limits.refused.take(`address:${clientKey(request.headers)}`);
  throw verdict.ok ? new UnauthorizedError() : new RateLimitedError(verdict.retryAfterSeconds);
}

/**
 * A scrape of /api/metrics: `Authorization: Bearer <METRICS_TOKEN>`, or an admin (a session or an
 * admin token; everyone, when authentication is off). Its numbers say how busy the server is and
 * what it runs, which is nobody else's business.
 */
export async function requireMetricsReader(request: Request): Promise<void> {
  const bearer = /^Bearer (.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  if (bearer !== undefined && env.METRICS_TOKEN && sameSecret(bearer, env.METRICS_TOKEN)) return;
  const caller = await requireCaller(request);
  if (caller.role !== 'admin') throw new ForbiddenError('Metrics are for admins, admin tokens and METRICS_TOKEN');
}

/**
 * A write that rides on the browser's cookie (or on nothing, when authentication is off) must come
 * from a page of this site, as JSON: a cookie goes along with a form or a no-cors fetch from any
 * other site, and SameSite=Lax does not tell sites on one host or one registrable domain apart.
 * Those can send only text/plain, form-encoded or multipart bodies, and cannot hide their Origin.
 * A bearer token is not sent by a browser on its own, so scripts are not affected.
 */
function assertSameOriginBody(request: RequestHead, caller: Caller, bodyType: BodyType): void {
  if (caller.via === 'token') return;
  if (crossSite(request.headers)) {
    logger.warn(
      { requestId: requestIdOf(request.headers), principal: caller.principal, method: request.method, path: new URL(request.url).pathname, origin: request.headers.get('origin'), fetchSite: request.headers.get('sec-fetch-site') },
      'cross-site write refused',
    );
    throw new ForbiddenError('Cross-site request refused');
  }
  const hasBody = request.method === 'POST' || request.method === 'PATCH' || request.method === 'PUT';
  if (hasBody && mediaType(request.headers.get('content-type')) !== bodyType) throw new UnsupportedMediaTypeError(bodyType);
}

/**
 * A report from a browser (POST /api/presence): signed in (or sign-in off), from this site's own
 * pages, as JSON — a token is a script, and scripts are not people who are here. `known`: the
 * caller as already let in (lib/server/presence/stream-callers.ts), instead of a lookup.
 */
export async function browserReporter(request: RequestHead, known: Caller | null = null): Promise<Caller> {
  const caller = known ?? (await requireCaller(request));
  if (caller.via === 'token') throw new ForbiddenError('Presence and delivery reports come from signed-in browsers, not API tokens');
  assertSameOriginBody(request, caller, 'application/json');
  return caller;
}

/** What a write's body must be: JSON, or a CSV file (an import) — neither is a type a cross-site form can send. */
type BodyType = 'application/json' | 'text/csv';

const mediaType = (contentType: string | null) => {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/csv' ? 'text/csv' : type;
};

/**
 * The caller of a write, counted against their write allowance (unless `counted` is false), as the
 * data layer logs them. `adminsOnly`: the refusal for anyone but an admin — given before the
 * allowance is counted, so a request refused for want of a role costs the caller nothing.
 */
export async function writer(
  request: Request,
  bodyType: BodyType = 'application/json',
  { counted = true, adminsOnly }: { counted?: boolean; adminsOnly?: string } = {},
): Promise<Actor & { rateKey: string }> {
  const caller = await requireCaller(request);
  assertSameOriginBody(request, caller, bodyType);
  if (!canWrite(caller.role)) throw new ForbiddenError(VIEWER_MESSAGE);
  if (adminsOnly && !canManageAccess(caller.role)) throw new ForbiddenError(adminsOnly);
  if (counted) await assertWriteAllowed(caller, request.headers);
  // rateKey: what a job started here counts its further writes under (a bulk action, by its size).
  return { principal: caller.principal, requestId: requestIdOf(request.headers), role: caller.role, sessionId: caller.sessionId, rateKey: rateKeyOf(caller, request.headers) };
}

/** The `{id}` of a /api/users/{id}… route: NotFoundError (404) when it is not a user id. */
export async function userIdParam(params: Promise<{ id: string }>): Promise<number> {
  const id = userIdSchema.safeParse((await params).id);
  if (!id.success) throw new NotFoundError('No such user');
  return id.data;
}

/** The body as JSON: 413 past MAX_BODY_BYTES (declared or actual), 400 when it is not JSON. */
export async function readJson(request: Request): Promise<unknown> {
  if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body?.getReader();
  for (let chunk = await reader?.read(); chunk && !chunk.done; chunk = await reader?.read()) {
    size += chunk.value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await reader?.cancel();
      throw new PayloadTooLargeError(MAX_BODY_BYTES);
    }
    chunks.push(chunk.value);
  }
  return jsonOf(Buffer.concat(chunks));
}

/** A whole body's bytes as JSON: 413 past MAX_BODY_BYTES, 400 when they are not JSON. */
export function jsonOf(bytes: Uint8Array): unknown {
  if (bytes.byteLength > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES);
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch {
    throw new ValidationError({ form: ['Request body must be valid JSON'] });
  }
}
