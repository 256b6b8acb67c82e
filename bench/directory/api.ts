// Part 2: GET /api/users — each sort both ways over pages 1–4 and one back, searches, a 304.
import { request } from '../servers';
import { SAMPLES } from './config';
import { type Sampled, type ViewQuery, apiPage, sample, withParams } from './http';

export type Api = { sorts: Sampled[]; searches: Sampled[]; notModified: Sampled };

/** Pages 1–4 of a view through its next cursors, then page 3 again through page 4's previous cursor. */
export async function pageUrls(port: number, view: ViewQuery, depth: number): Promise<string[]> {
  const urls = [withParams('/api/users', { ...view })];
  let page = await apiPage(port, view);
  for (let i = 1; i < depth && page.nextCursor; i++) {
    const cursor = page.nextCursor;
    urls.push(withParams('/api/users', { ...view, cursor }));
    page = await apiPage(port, view, cursor);
  }
  if (page.prevCursor && urls.length > 1) urls.push(withParams('/api/users', { ...view, cursor: page.prevCursor }));
  return urls;
}

/**
 * The search terms (issue 22): one letter (a word's start, in a quarter of the users), a common
 * name (1 in 24), a rare one (Edsger Dijkstra: 1 in 576), a domain (everyone), one in one email, and
 * one in none.
 */
export function searchTerms(users: number) {
  return { letter: 'a', common: 'ada', 'rare name': 'edsger dijkstra', domain: 'example.com', rare: `user${Math.floor(users / 3)}.`, none: 'zzzq' };
}

export async function api(port: number, users: number): Promise<Api> {
  const sorts: Sampled[] = [];
  for (const sort of ['createdAt', 'name', 'email'] as const) {
    for (const order of ['desc', 'asc'] as const) {
      sorts.push(await sample(port, `sort=${sort} order=${order}, pages 1–4 and one back`, await pageUrls(port, { sort, order }, 4), SAMPLES));
    }
  }
  const searches: Sampled[] = [];
  for (const [kind, q] of Object.entries(searchTerms(users))) {
    searches.push(await sample(port, `q=${q} (${kind}), pages 1–2`, await pageUrls(port, { q, sort: 'createdAt', order: 'desc' }, 2).then((urls) => urls.slice(0, 2)), SAMPLES));
  }
  const { headers } = await request(port, 'GET', '/api/users');
  const etag = typeof headers.etag === 'string' ? headers.etag : '';
  // A 304 costs about a millisecond, so of 30 samples the p95 is the second slowest: whichever of
  // them met a garbage collection left by the searches before. Ten times as many, after as many
  // again to warm up, measure the 304 rather than the collector.
  const notModified = await sample(port, 'GET /api/users, If-None-Match', ['/api/users'], 10 * SAMPLES, 304, () => ({ 'If-None-Match': etag }), 10 * SAMPLES);
  return { sorts, searches, notModified };
}
