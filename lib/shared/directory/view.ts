// The dashboard's view of the directory — search, sort, order, page — as it stands in the URL
// (`/?q=&role=&sort=&order=&cursor=`) and in GET /api/users. Safe to import on the client.
import { z } from '@/lib/shared/zod';
import type { UserDTO } from '@/lib/shared/dto';
import { ROLES, type Role } from '@/lib/shared/roles';
import { compareKeys, matchesSearch, nameKey, searchTerm } from './keys';

export const SORTS = ['name', 'email', 'createdAt'] as const;
export type Sort = (typeof SORTS)[number];
export type Order = 'asc' | 'desc';

export const PAGE_SIZE = 50;
export const MAX_LIMIT = 200;
export const QUERY_MAX = 100;

/** What the rows are: the filter (a search, a role: '' for all) and the order. Pages of one view share it. */
export type View = { q: string; role: Role | ''; sort: Sort; order: Order };

export const DEFAULT_VIEW: View = { q: '', role: '', sort: 'createdAt', order: 'desc' };

/** The view and page a request asks for; absent or empty parameters take the defaults. */
export const viewParamsSchema = z.object({
  q: z.string().max(QUERY_MAX, `Search must be at most ${QUERY_MAX} characters`).default(''),
  role: z.enum(['', ...ROLES], { error: 'role must be none, viewer, editor or admin' }).default(''),
  sort: z.enum(SORTS, { error: 'sort must be name, email or createdAt' }).default('createdAt'),
  order: z.enum(['asc', 'desc'], { error: 'order must be asc or desc' }).default('desc'),
  cursor: z.string().max(1_000).optional(),
  limit: z.coerce
    .number({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` })
    .int(`limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .min(1, `limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .max(MAX_LIMIT, `limit must be a whole number from 1 to ${MAX_LIMIT}`)
    .default(PAGE_SIZE),
});

export type ViewParams = z.infer<typeof viewParamsSchema>;

/** URLSearchParams or Next's searchParams object → the raw values, empty ones dropped. */
export function paramsRecord(params: URLSearchParams | Record<string, string | string[] | undefined>): Record<string, string> {
  const entries = params instanceof URLSearchParams ? [...params.entries()] : Object.entries(params);
  const record: Record<string, string> = {};
  for (const [key, value] of entries) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined && first !== '') record[key] = first;
  }
  return record;
}

/** The value a row is sorted by in a view, as the database compares it. */
export function sortValue(user: UserDTO, sort: Sort): string {
  if (sort === 'name') return nameKey(user.name);
  if (sort === 'email') return user.email;
  return user.createdAt; // ISO 8601 in UTC with milliseconds: text order is time order
}

/** Whether a user is in the view's rows: the search matches and the role is the one asked for. */
export function matchesView(user: UserDTO, view: Pick<View, 'q' | 'role'>): boolean {
  return (view.role === '' || user.role === view.role) && matchesSearch(user, searchTerm(view.q));
}

/** The view's order: by the sort value, then by id, both in the view's direction. */
export function compareInView(a: UserDTO, b: UserDTO, view: Pick<View, 'sort' | 'order'>): number {
  const byKey = compareKeys(sortValue(a, view.sort), sortValue(b, view.sort));
  const result = byKey !== 0 ? byKey : a.id - b.id;
  return view.order === 'asc' ? result : -result;
}

/** The query string of a view (and page), leaving out what is the default. */
export function viewSearch(view: View, cursor?: string | null): string {
  const params = new URLSearchParams();
  if (view.q) params.set('q', view.q);
  if (view.role) params.set('role', view.role);
  if (view.sort !== DEFAULT_VIEW.sort) params.set('sort', view.sort);
  if (view.order !== DEFAULT_VIEW.order) params.set('order', view.order);
  if (cursor) params.set('cursor', cursor);
  const text = params.toString();
  return text ? `?${text}` : '';
}
