// Domain errors; lib/http.ts maps them to status codes in one place.
import type { FieldErrors } from './validation';

export class ValidationError extends Error {
  constructor(readonly fieldErrors: FieldErrors & { form?: string[] }) {
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
