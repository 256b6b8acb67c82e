import 'server-only';
// Domain errors; lib/server/http.ts maps them to status codes in one place.
import type { UserDTO } from '@/lib/shared/dto';
import type { FieldErrors } from '@/lib/shared/validation';

/** Gives each error its class's name for logs, spelled out: minifying would mangle `constructor.name`. */
export abstract class DomainError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class ValidationError extends DomainError {
  constructor(readonly fieldErrors: Record<string, string[] | undefined>) { super('ValidationError', 'Invalid input'); }
}

export class ConflictError extends DomainError {
  constructor(readonly fieldErrors: FieldErrors, message = 'Conflict') { super('ConflictError', message); }
}

export class NotFoundError extends DomainError {
  constructor(message = 'Not found') { super('NotFoundError', message); }
}

export class UnauthorizedError extends DomainError {
  constructor() { super('UnauthorizedError', 'Sign in, or send Authorization: Bearer <API_TOKEN>'); }
}

export class RateLimitedError extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = `Too many requests; try again in ${retryAfterSeconds} s`,
  ) { super('RateLimitedError', message); }
}

/** The caller is known but may not do this (a write sent from another site, say). */
export class ForbiddenError extends DomainError {
  constructor(message: string) { super('ForbiddenError', message); }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(expected: string) { super('UnsupportedMediaTypeError', `Send the body as ${expected} (Content-Type: ${expected})`); }
}

export class PayloadTooLargeError extends DomainError {
  constructor(limit: number) { super('PayloadTooLargeError', `Request body must be at most ${limit} bytes`); }
}

/** The database could not be reached or was busy; nothing was written. */
export class ServiceUnavailableError extends DomainError {
  constructor() { super('ServiceUnavailableError', 'The database is unavailable; nothing was changed. Try again shortly.'); }
}

/** An edit named a version the user no longer has: someone changed it meanwhile. */
export class PreconditionFailedError extends DomainError {
  constructor(readonly current: UserDTO) { super('PreconditionFailedError', 'Changed by someone else while you were editing'); }
}

/** An edit through the API must say which version it changes (If-Match), so none is lost. */
export class PreconditionRequiredError extends DomainError {
  constructor() { super('PreconditionRequiredError', 'Send If-Match: "<version>" with the version you are changing (GET /api/users/{id} gives it as the ETag)'); }
}
