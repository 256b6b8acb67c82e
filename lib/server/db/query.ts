import 'server-only';
import { DomainError, ServiceUnavailableError } from '@/lib/server/errors';
import { Prisma } from '@/lib/server/generated/prisma/client';
import { logger } from '@/lib/server/logger';

// The one place a database error becomes a domain error: what a client can cause (a duplicate, a
// row that is gone) by its Prisma code, everything else (unreachable, locked, timed out) as 503.

/** Prisma error codes a caller expects, and the domain error each one means (P2002 → ConflictError). */
export type KnownErrors = Record<string, () => Error>;

/**
 * Runs database work, rethrowing domain errors it raised itself, turning the `known` Prisma codes
 * into theirs and any other failure into ServiceUnavailableError (logged as `what failed`).
 */
export async function query<T>(what: string, run: () => Promise<T>, known: KnownErrors = {}): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof DomainError) throw error;
    if (error instanceof Prisma.PrismaClientKnownRequestError) {
      const domain = known[error.code];
      if (domain) throw domain();
    }
    logger.error({ err: error }, `${what} failed`);
    throw new ServiceUnavailableError();
  }
}
