import 'client-only';
// Browser side: fetching one page of a view from GET /api/users, with the ETag of the last answer
// for that URL, so an unchanged page costs a 304 with no body (and, past events that did not
// change it, says the page is current as of a newer event id).
import type { PageDTO } from '@/lib/shared/dto';
import { type View, viewSearch } from '@/lib/shared/directory/view';

/** The API answered 401: the session ended. */
export class SignedOutError extends Error {
  constructor() {
    super('Signed out');
    this.name = 'SignedOutError';
  }
}

/** The API URL of a page of a view. */
export function pageUrl(view: View, cursor: string | null): string {
  return `/api/users${viewSearch(view, cursor)}`;
}

let cached: { url: string; etag: string; page: PageDTO } | undefined;

export async function fetchPage(url: string, signal?: AbortSignal): Promise<PageDTO> {
  const headers: HeadersInit = { Accept: 'application/json' };
  if (cached?.url === url) headers['If-None-Match'] = cached.etag;
  const response = await fetch(url, { headers, cache: 'no-store', signal });
  if (response.status === 304 && cached?.url === url) {
    // Unchanged as of the answer's event id (events elsewhere in the directory): the same rows, newer.
    const lastEventId = Math.max(cached.page.lastEventId, Number(response.headers.get('X-Last-Event-Id')) || 0);
    cached = { url, etag: response.headers.get('ETag') ?? cached.etag, page: { ...cached.page, lastEventId } };
    return cached.page;
  }
  if (response.status === 401) throw new SignedOutError();
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const page = (await response.json()) as PageDTO;
  const etag = response.headers.get('ETag');
  cached = etag ? { url, etag, page } : undefined;
  return page;
}
