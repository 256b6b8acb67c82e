// Domain errors the data layer throws; lib/http.ts maps them to status codes in one place.
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
