import { randomUUID } from 'node:crypto';
import { type APIRequestContext, type BrowserContext, type BrowserContextOptions, type Page, expect, test as base } from '@playwright/test';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import type { Role } from '@/lib/shared/roles';
import { plantSession } from '../support/session';
import { ADMIN_EMAIL, ADMIN_STATE, ANONYMOUS, API_TOKEN, E2E_DATABASE, SESSION_COOKIE, SESSION_SECRET } from './credentials';

/** A user and a page of a view, as the API answers: the app's own wire types, not copies. */
export type User = UserDTO;
export type UserPage = PageDTO;

/** Rows on one page of the dashboard (lib/shared/directory/view.ts PAGE_SIZE). */
export const PAGE_SIZE = 50;

/**
 * The looks the axe checks run in: each theme and each width once (light wide, dark at phone
 * width), not every pairing. Contrast follows the theme and reflow the width; the other two
 * pairings would add ~150 s of browser time to each run (CI runs two Node versions), which CI's
 * budget cannot spare.
 */
export const LOOKS = [
  { colorScheme: 'light', width: 1280 },
  { colorScheme: 'dark', width: 390 },
] as const;

/** An email no other test (or earlier run) has used. */
export function uniqueEmail(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}@example.com`;
}

export async function createUser(request: APIRequestContext, name: string, email: string): Promise<User> {
  const response = await request.post('/api/users', { data: { name, email } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as User;
}

/**
 * Runs `run` for every item, at most `concurrency` at a time, and returns the results in order:
 * quick set-up of many users without flooding a 2-core machine.
 */
export async function inParallel<T, R>(items: readonly T[], run: (item: T, index: number) => Promise<R>, concurrency = 8): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await run(items[i] as T, i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Creates `count` users named `${prefix} 001`, `${prefix} 002`, … through the API, several at a time. */
export async function createUsers(request: APIRequestContext, prefix: string, count: number): Promise<User[]> {
  const people = Array.from({ length: count }, (_, i) => ({
    name: `${prefix} ${String(i + 1).padStart(3, '0')}`,
    email: uniqueEmail(prefix.toLowerCase().replace(/[^a-z0-9]+/g, '-')),
  }));
  return inParallel(people, ({ name, email }) => createUser(request, name, email));
}

/** A page of a view from GET /api/users (`query`: q, sort, order, limit, cursor). */
export async function listPage(request: APIRequestContext, query: Record<string, string> = {}): Promise<UserPage> {
  const response = await request.get(`/api/users?${new URLSearchParams(query).toString()}`);
  expect(response.status(), await response.text()).toBe(200);
  return (await response.json()) as UserPage;
}

/** Changes a user through the API at the version it was read at (If-Match), as another client would. */
export async function patchUser(
  request: APIRequestContext,
  user: Pick<User, 'id' | 'version'>,
  changes: { name?: string; email?: string },
): Promise<User> {
  const response = await request.patch(`/api/users/${user.id}`, { data: changes, headers: { 'If-Match': `"${user.version}"` } });
  expect(response.status(), await response.text()).toBe(200);
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

/** The URLs of the requests `page` makes from now on to `pathname` ('/events', '/api/users'). */
export function requestsTo(page: Page, pathname: string): string[] {
  const urls: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === pathname) urls.push(request.url());
  });
  return urls;
}

/**
 * A session of the e2e server, written into its database the way the server writes one
 * (tests/support/session.ts), ending at `expiresAt`; made with another `password`, the server
 * refuses it. Returns the cookie's token.
 */
export function plantSessionToken(expiresAt: Date, session: { madeWith?: string; email?: string; userAgent?: string; address?: string } = {}): string {
  const cookie = plantSession(E2E_DATABASE, { expiresAt, secret: SESSION_SECRET, email: ADMIN_EMAIL, ...session });
  return cookie.slice(`${SESSION_COOKIE}=`.length);
}

/** The session cookie carrying `token`, as the server sets it (for context.addCookies). */
export function sessionCookie(token: string, baseURL: string) {
  return { name: SESSION_COOKIE, value: token, url: baseURL, httpOnly: true, sameSite: 'Lax' as const };
}

/** Deletes every user but the first admin (ADMIN_EMAIL: the person the tests sign in as, and Roster's last admin). */
async function deleteAllUsers(request: APIRequestContext): Promise<void> {
  // The API answers a page at a time (at most 200 rows): take the first page until only the first admin is left.
  const others = (page: PageDTO) => page.users.filter((user) => user.email !== ADMIN_EMAIL);
  for (let page = others(await listPage(request, { limit: '200' })); page.length > 0; page = others(await listPage(request, { limit: '200' }))) {
    await inParallel(page, async (user) => {
      const deleted = await request.delete(`/api/users/${user.id}`);
      expect([204, 404]).toContain(deleted.status());
    });
  }
}

const thousands = new Intl.NumberFormat('en-US');

/** The user count as the dashboard shows it: "1 user", "1,204 users", "12 users match “ann”". */
export function countText(made: number, q = ''): string {
  // Unfiltered, the directory also holds the first admin: the person these tests sign in as.
  const total = q ? made : made + 1;
  const users = `${thousands.format(total)} ${total === 1 ? 'user' : 'users'}`;
  return q ? `${users} ${total === 1 ? 'matches' : 'match'} “${q}”` : users;
}

/** A person with `role` (one who may sign in, unless 'none'), made through the API. */
export async function personWithRole(api: APIRequestContext, name: string, role: Role): Promise<User> {
  const response = await api.post('/api/users', { data: { name, email: uniqueEmail(name.split(' ')[0]?.toLowerCase() ?? 'person'), role } });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as User;
}

/** The invite page of `link`, in a browser of its own: the person sets a password and lands on the dashboard, live. */
export async function acceptInvite(page: Page, link: string, password: string): Promise<void> {
  await page.goto(link);
  await expect(page).toHaveTitle('Set your password · Roster');
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
}

/** A one-time link for the user to set a password and sign in, as an admin asks for one. */
export async function inviteLink(api: APIRequestContext, userId: number): Promise<string> {
  const response = await api.post(`/api/users/${userId}/invite`);
  expect(response.status(), await response.text()).toBe(201);
  return ((await response.json()) as { url: string }).url;
}

/** `person` signs in through an invite, in `page` (a browser of their own), and lands on the dashboard, live. */
export async function signInThroughInvite(api: APIRequestContext, page: Page, person: User): Promise<void> {
  await acceptInvite(page, await inviteLink(api, person.id), `${person.name}’s own password`);
}

/** The dashboard's parts, found the way a person (or a screen reader) finds them. */
export function dashboard(page: Page) {
  const form = page.getByRole('form', { name: 'Add a user' });
  const pages = page.getByRole('navigation', { name: 'Pages' });
  return {
    form,
    name: form.getByLabel('Name', { exact: true }),
    email: form.getByLabel('Email', { exact: true }),
    submit: page.getByRole('button', { name: 'Add user' }),
    formStatus: form.getByRole('status'),
    connection: page.getByTestId('connection-status'),
    /** "3 users", "1 user", "2 users match “ann”" (see countText). */
    count: page.getByTestId('user-count'),
    /** The rows of the users the tests made: every row but the first admin's (the person signed in), which is always there. */
    rows: page.locator('tbody tr[data-user-id]').filter({ hasNotText: ADMIN_EMAIL }),
    row: (text: string) => page.locator('tbody tr[data-user-id]', { hasText: text }),
    /** A user's row, found by id (an inline editor shows the name and email as field values, not text). */
    rowOf: (id: number) => page.locator(`tbody tr[data-user-id="${id}"]`),
    /** A row's name cell (for writers, a checkbox cell comes before it). */
    nameCell: (text: string) => page.locator('tbody tr[data-user-id]', { hasText: text }).locator('td[data-column="name"]'),
    /** A row's checkbox, and the page's ("Select all users on this page"); "Delete selected" and its count. */
    checkbox: (name: string) => page.getByRole('checkbox', { name: `Select ${name}`, exact: true }),
    selectPage: page.getByRole('checkbox', { name: 'Select all users on this page' }),
    deleteSelected: page.getByRole('button', { name: 'Delete selected' }),
    selectedCount: page.getByTestId('selected-count'),
    /** The names in the table, top to bottom, leaving out rows that are fading out. */
    names: page.locator('tbody tr[data-user-id]:not([aria-hidden="true"])').filter({ hasNotText: ADMIN_EMAIL }).locator('td[data-column="name"]'),
    deleteButton: (name: string) => page.getByRole('button', { name: `Delete ${name}`, exact: true }),
    editLink: (name: string) => page.getByRole('link', { name: `Edit ${name}`, exact: true }),
    /** The editor of a user: inline in its row, or the form of the edit page. */
    editForm: (name: string) => page.getByRole('form', { name: `Edit ${name}`, exact: true }),
    /** "Here now" in the header: a circle of initials per person, named by the person (with " (you)" for the one signed in). */
    hereNow: page.getByRole('region', { name: 'Here now' }),
    personHere: (label: string) => page.getByRole('region', { name: 'Here now' }).getByRole('img', { name: label, exact: true }),
    /** "Ada is editing" on a row whose editor someone else has open. */
    editingMarker: (id: number) => page.locator(`tbody tr[data-user-id="${id}"]`).getByTestId('editing-marker'),
    /** "Grace is also editing this user." over an editor. */
    alsoEditing: page.getByTestId('also-editing'),
    search: page.getByRole('searchbox', { name: 'Search' }),
    searchButton: page.getByRole('button', { name: 'Search', exact: true }),
    /** A column's header cell (it carries aria-sort) and the link in it that sorts by the column. */
    column: (label: 'Name' | 'Email' | 'Created') => page.getByRole('columnheader', { name: label }),
    sortBy: (label: 'Name' | 'Email' | 'Created') => page.getByRole('columnheader', { name: label }).getByRole('link'),
    next: pages.getByRole('link', { name: 'Next', exact: true }),
    previous: pages.getByRole('link', { name: 'Previous', exact: true }),
    /** The pager's place-holders where there is no next or previous page. */
    noNext: pages.locator('[aria-disabled="true"]', { hasText: 'Next' }),
    noPrevious: pages.locator('[aria-disabled="true"]', { hasText: 'Previous' }),
  };
}

/**
 * Every test shares one server and database; the suite runs on one worker and this fixture
 * empties the table before each test, so no test sees another's users.
 */
export const test = base.extend<{
  api: APIRequestContext;
  emptyTable: void;
  /** Opens a page in a browser context of its own (another person's browser), signed in unless `options` say otherwise; closed after the test. */
  openBrowser: (options?: BrowserContextOptions) => Promise<Page>;
}>({
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
  openBrowser: async ({ browser }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async (options = {}) => {
      const context = await browser.newContext({ storageState: ADMIN_STATE, ...options });
      contexts.push(context);
      return context.newPage();
    });
    for (const context of contexts) await context.close();
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
