import { randomUUID } from 'node:crypto';
import { type APIRequestContext, type Page, expect, test as base } from '@playwright/test';
import { SignJWT } from 'jose';
import { ANONYMOUS, API_TOKEN, SESSION_COOKIE, SESSION_SECRET } from './credentials';

type User = { id: number; name: string; email: string };

/** An email no other test (or earlier run) has used. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
}

export async function createUser(request: APIRequestContext, name: string, email: string): Promise<User> {
  const response = await request.post('/api/users', { data: { name, email } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as User;
}

export async function deleteUser(request: APIRequestContext, id: number): Promise<void> {
  const response = await request.delete(`/api/users/${id}`);
  expect(response.status(), await response.text()).toBe(204);
}

export type Health = {
  status: string;
  /** Open SSE streams on the server. */
  subscribers: number;
  lastEventId: number;
  eventsPublished: number;
  connectionsRefused: number;
  slowConsumersDropped: number;
};

export async function health(request: APIRequestContext): Promise<Health> {
  const response = await request.get('/api/health');
  expect(response.ok()).toBe(true);
  return (await response.json()) as Health;
}

/** Open SSE streams on the server, as /api/health counts them. */
export async function subscribers(request: APIRequestContext): Promise<number> {
  return (await health(request)).subscribers;
}

/** True for a request to the event stream (`/events?lastEventId=…`). */
export function isEventStream(url: string): boolean {
  return new URL(url).pathname === '/events';
}

/**
 * A session token made the way the server makes one (lib/auth/session.ts): an HS256 JWT for
 * `admin`, expiring at `expiresAt`. Signed with another `secret`, it is a forgery.
 */
export async function mintSessionToken(expiresAt: Date, secret: string = SESSION_SECRET): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('admin')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(new TextEncoder().encode(secret));
}

/** The session cookie carrying `token`, as the server sets it (for context.addCookies). */
export function sessionCookie(token: string, baseURL: string) {
  return { name: SESSION_COOKIE, value: token, url: baseURL, httpOnly: true, sameSite: 'Lax' as const };
}

async function deleteAllUsers(request: APIRequestContext): Promise<void> {
  const response = await request.get('/api/users');
  expect(response.status(), await response.text()).toBe(200);
  for (const user of (await response.json()) as User[]) {
    const deleted = await request.delete(`/api/users/${user.id}`);
    expect([204, 404]).toContain(deleted.status());
  }
}

/** The dashboard's parts, found the way a person (or a screen reader) finds them. */
export function dashboard(page: Page) {
  return {
    form: page.getByRole('form', { name: 'Add a user' }),
    name: page.getByLabel('Name', { exact: true }),
    email: page.getByLabel('Email', { exact: true }),
    submit: page.getByRole('button', { name: 'Add user' }),
    formStatus: page.getByRole('form', { name: 'Add a user' }).getByRole('status'),
    connection: page.getByTestId('connection-status'),
    count: page.getByTestId('user-count'),
    rows: page.locator('tbody tr[data-user-id]'),
    row: (text: string) => page.locator('tbody tr[data-user-id]', { hasText: text }),
    deleteButton: (name: string) => page.getByRole('button', { name: `Delete ${name}` }),
  };
}

/**
 * Every test shares one server and database; the suite runs on one worker and this fixture
 * empties the table before each test, so no test sees another's users.
 */
export const test = base.extend<{ api: APIRequestContext; emptyTable: void }>({
  /**
   * The API as a script calls it: the bearer token and no cookies. Test code sets up and checks
   * data through this, never through the browser's session (and the browser never gets the token).
   */
  // (The callback is `provide`, not `use`: React's lint rules take `use(…)` for the React hook.)
  api: async ({ playwright, baseURL }, provide) => {
    const api = await playwright.request.newContext({
      baseURL,
      // Explicit, or the project's storageState (the admin's session cookie) would be used.
      storageState: ANONYMOUS,
      extraHTTPHeaders: { Authorization: `Bearer ${API_TOKEN}` },
    });
    await provide(api);
    await api.dispose();
  },
  emptyTable: [
    async ({ api }, use) => {
      await deleteAllUsers(api);
      await use();
    },
    { auto: true },
  ],
});

export { expect };
