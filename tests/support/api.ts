// Small typed clients for the server's HTTP API, for tests that need the server in a known state.
import { randomUUID } from 'node:crypto';
import type { UserDTO } from '@/lib/dto';

export type Health = {
  status: string;
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

export function postUser(baseUrl: string, body: unknown): Promise<Response> {
  return fetch(`${baseUrl}/api/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Creates a user and returns its DTO; fails the test on any answer but 201. */
export async function createUser(baseUrl: string, name: string, email = uniqueEmail()): Promise<UserDTO> {
  const response = await postUser(baseUrl, { name, email });
  if (response.status !== 201) throw new Error(`POST /api/users answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as UserDTO;
}

export function deleteUser(baseUrl: string, id: number | string): Promise<Response> {
  return fetch(`${baseUrl}/api/users/${id}`, { method: 'DELETE' });
}

export async function listUsers(baseUrl: string): Promise<UserDTO[]> {
  return (await (await fetch(`${baseUrl}/api/users`)).json()) as UserDTO[];
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
