import 'server-only';
import { ConflictError, NotFoundError, ValidationError } from './errors';

type ErrorBody = { error: string; fieldErrors?: Record<string, string[] | undefined> };

function json(body: ErrorBody, status: number): Response {
  return Response.json(body, { status });
}

/** Maps any error to a JSON response. Unexpected errors are logged here and never sent on. */
export function errorResponse(error: unknown): Response {
  if (error instanceof ValidationError) {
    return json({ error: 'Invalid input', fieldErrors: error.fieldErrors }, 400);
  }
  if (error instanceof ConflictError) {
    return json({ error: 'Conflict', fieldErrors: error.fieldErrors }, 409);
  }
  if (error instanceof NotFoundError) return json({ error: error.message }, 404);
  console.error('Unhandled error in API route', error);
  return json({ error: 'Internal server error' }, 500);
}

/** The request body as JSON, or a ValidationError a client can act on. */
export async function readJson(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new ValidationError({ form: ['Request body must be valid JSON'] });
  }
}
