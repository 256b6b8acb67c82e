// Small typed clients for the server's HTTP API, for tests that need the server in a known state.
// They call as a script would, with the API token, unless told to send other credentials or none.
import { randomUUID } from 'node:crypto';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { API_TOKEN } from './secrets';

/** The credentials a request carries: the test API token (default), none, a session cookie, or any bearer token. */
export type Auth = 'token' | 'none' | { cookie: string } | { bearer: string };

/** The headers that carry `auth`. */
export function authHeaders(auth: Auth = 'token'): Record<string, string> {
  if (auth === 'token') return { Authorization: `Bearer ${API_TOKEN}` };
  if (auth === 'none') return {};
  if ('cookie' in auth) return { Cookie: auth.cookie };
  return { Authorization: `Bearer ${auth.bearer}` };
}

export type RequestOptions = { auth?: Auth; headers?: Record<string, string> };

const headersOf = ({ auth, headers }: RequestOptions = {}) => ({ ...authHeaders(auth), ...headers });

export type Health = {
  status: 'ok' | 'degraded';
  degraded: boolean;
  subscribers: number;
  lastEventId: number;
  eventsPublished: number;
  connectionsRefused: number;
  slowConsumersDropped: number;
  pageReads: number;
};

/** An email no other test uses, so tests can share one database. */
export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.com`;
}

/** POST /api/users; a string body is sent as it is, anything else as JSON. */
export function postUser(baseUrl: string, body: unknown, options?: RequestOptions): Promise<Response> {
  return fetch(`${baseUrl}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headersOf(options) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Creates a user and returns its DTO; fails the test on any answer but 201. */
export async function createUser(baseUrl: string, name: string, email = uniqueEmail(), options?: RequestOptions): Promise<UserDTO> {
  const response = await postUser(baseUrl, { name, email }, options);
  if (response.status !== 201) throw new Error(`POST /api/users answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as UserDTO;
}

export function deleteUser(baseUrl: string, id: number | string, options?: RequestOptions): Promise<Response> {
  return fetch(`${baseUrl}/api/users/${id}`, { method: 'DELETE', headers: headersOf(options) });
}

/** The query of GET /api/users: a view of the directory and a page of it. */
export type PageQuery = { q?: string; role?: string; sort?: string; order?: string; limit?: number | string; cursor?: string };

/** The URL of GET /api/users with the given parameters (absent ones left out). */
export function pageUrl(baseUrl: string, query: PageQuery = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const search = params.toString();
  return `${baseUrl}/api/users${search ? `?${search}` : ''}`;
}

/** GET /api/users?…, answered as it is (for status codes, headers, 304s). */
export function fetchPage(baseUrl: string, query: PageQuery = {}, options?: RequestOptions): Promise<Response> {
  return fetch(pageUrl(baseUrl, query), { headers: headersOf(options) });
}

/** One page of a view; fails the test on any answer but 200. */
export async function listPage(baseUrl: string, query: PageQuery = {}, options?: RequestOptions): Promise<PageDTO> {
  const response = await fetchPage(baseUrl, query, options);
  if (response.status !== 200) throw new Error(`GET ${pageUrl('', query)} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as PageDTO;
}

/**
 * Every user of a view (all of them by default: newest first), following nextCursor page by page;
 * fails the test on any answer but 200.
 */
export async function listUsers(baseUrl: string, options?: RequestOptions, view: Omit<PageQuery, 'cursor' | 'limit'> = {}): Promise<UserDTO[]> {
  const users: UserDTO[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(baseUrl, { ...view, limit: 200, cursor }, options);
    users.push(...page.users);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return users;
}

/** GET /api/users/{id}, answered as it is. */
export function fetchUser(baseUrl: string, id: number | string, options?: RequestOptions): Promise<Response> {
  return fetch(`${baseUrl}/api/users/${id}`, { headers: headersOf(options) });
}

/** PATCH /api/users/{id}; `ifMatch` is sent as If-Match unless null; a string body is sent as it is. */
export function patchUser(
  baseUrl: string,
  id: number | string,
  body: unknown,
  ifMatch: string | number | null,
  options?: RequestOptions,
): Promise<Response> {
  const precondition: Record<string, string> =
    ifMatch === null ? {} : { 'If-Match': typeof ifMatch === 'number' ? `"${ifMatch}"` : ifMatch };
  return fetch(`${baseUrl}/api/users/${id}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json', ...precondition, ...headersOf(options) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function health(baseUrl: string): Promise<Health> {
  return (await (await fetch(`${baseUrl}/api/health`)).json()) as Health;
}

/** Polls `read` until `accept` holds, returning the last value either way, for an assertion to judge. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
