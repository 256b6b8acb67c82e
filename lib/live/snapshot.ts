// Browser side: fetching the user list as a snapshot at an event id.
import type { UserDTO } from '../dto';
import type { Snapshot } from '../events/apply';

export const USERS_URL = '/api/users';

/** The API answered 401: the session ended. */
export class SignedOutError extends Error {
  constructor() {
    super('Signed out');
    this.name = 'SignedOutError';
  }
}

let cached: { etag: string; users: UserDTO[] } | undefined;

/**
 * GET /api/users with the ETag of the last answer, so an unchanged list costs a 304 with no
 * body. The X-Last-Event-Id header says which events the list already includes.
 */
export async function fetchSnapshot(url: string = USERS_URL): Promise<Snapshot> {
  const headers: HeadersInit = { Accept: 'application/json' };
  if (cached) headers['If-None-Match'] = cached.etag;
  const response = await fetch(url, { headers, cache: 'no-store' });
  const lastEventId = Number(response.headers.get('X-Last-Event-Id') ?? 0);
  if (response.status === 304 && cached) return { users: cached.users, lastEventId };
  if (response.status === 401) throw new SignedOutError();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const users = (await response.json()) as UserDTO[];
  const etag = response.headers.get('ETag');
  cached = etag ? { etag, users } : undefined;
  return { users, lastEventId };
}
