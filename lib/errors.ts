// Domain errors; lib/http.ts maps them to status codes in one place.
import type { UserDTO } from './dto';
import type { FieldErrors } from './validation';

export class ValidationError extends Error {
  constructor(readonly fieldErrors: Record<string, string[] | undefined>) {
    super('Invalid input');
    this.name = 'ValidationError';
  }
}

export class ConflictError extends Error {
  constructor(readonly fieldErrors: FieldErrors) {
    super('Conflict');
    this.name = 'ConflictError';
  }
}

export class NotFoundError extends Error {
  constructor(message = 'Not found') {
    super(message);
    this.name = 'NotFoundError';
  }
}

export class UnauthorizedError extends Error {
  constructor() {
    super('Sign in, or send Authorization: Bearer <API_TOKEN>');
    this.name = 'UnauthorizedError';
  }
}

export class RateLimitedError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; try again in ${retryAfterSeconds} s`);
    this.name = 'RateLimitedError';
  }
}

export class PayloadTooLargeError extends Error {
  constructor(limit: number) {
    super(`Request body must be at most ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

/** The database could not be reached or was busy; nothing was written. */
export class ServiceUnavailableError extends Error {
  constructor() {
    super('The database is unavailable; nothing was changed. Try again shortly.');
    this.name = 'ServiceUnavailableError';
  }
}

/** An edit named a version the user no longer has: someone changed it meanwhile. */
export class PreconditionFailedError extends Error {
  constructor(readonly current: UserDTO) {
    super('Changed by someone else while you were editing');
    this.name = 'PreconditionFailedError';
  }
}

/** An edit through the API must say which version it changes (If-Match), so none is lost. */
export class PreconditionRequiredError extends Error {
  constructor() {
    super('Send If-Match: "<version>" with the version you are changing (GET /api/users/{id} gives it as the ETag)');
    this.name = 'PreconditionRequiredError';
  }
}
