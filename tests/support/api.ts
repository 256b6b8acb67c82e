// Small typed clients for the server's HTTP API, for tests that need the server in a known state.
// They call as a script would, with the API token, unless told to send other credentials or none.
import { randomUUID } from 'node:crypto';
import type { UserDTO } from '@/lib/dto';
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

/** GET /api/users; fails the test on any answer but 200. */
export async function listUsers(baseUrl: string, options?: RequestOptions): Promise<UserDTO[]> {
  const response = await fetch(`${baseUrl}/api/users`, { headers: headersOf(options) });
  if (response.status !== 200) throw new Error(`GET /api/users answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as UserDTO[];
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
