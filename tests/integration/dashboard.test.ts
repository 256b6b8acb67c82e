// The dashboard page, the edit page and their server actions, on a server and database of its
// own: the first test needs a database nobody has written to, whatever order the files run in, and
// the views then need more users than a page holds (seeded with `npm run db:seed`). The tests run in
// order, signed in through the real login form, as a browser without JavaScript would be.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { TOTAL_CAP } from '@/lib/shared/directory/total';
import { createUser, deleteUser, fetchUser, listPage, listUsers, type PageQuery, patchUser, uniqueEmail } from '../support/api';
import { insertRows, uniqueTag } from '../support/directory';
import { decodeEntities, findForm, hiddenFields, submitForm } from '../support/html';
import { type TestServer, startServer } from '../support/server';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

// With sign-in on, the directory always holds its first admin: an empty view is a filtered one.
const EMPTY_STATE = 'No users have this role.';

let server: TestServer;
let stream: SseClient;
/** The session cookie every page request and form post sends. */
let signedIn: { Cookie: string };

beforeAll(async () => {
  server = await startServer();
  signedIn = { Cookie: await signIn(server.url) };
  stream = await SseClient.connect(`${server.url}/events`);
  expect((await stream.next()).event).toBe('connected');
});

afterAll(async () => {
  stream?.close();
  await server?.stop();
});

/** The dashboard at `path` (e.g. `/?q=ann`), as HTML; fails on any answer but 200. */
async function dashboard(path = '/'): Promise<string> {
  const response = await fetch(`${server.url}${path}`, { headers: signedIn });
  expect(response.status, path).toBe(200);
  return response.text();
}

/** The server-rendered table row of a user (not the same data in the page's RSC payload). */
function row(html: string, user: Pick<UserDTO, 'id'>): string | undefined {
  return new RegExp(`<tr[^>]*data-user-id="${user.id}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];
}

const createForm = (html: string) => findForm(html, (form) => form.includes('aria-label="Add a user"'));

describe('dashboard /', () => {
  it('shows the empty state of a view with nobody in it, and not of one with someone', async () => {
    const html = await dashboard('/?role=viewer');
    expect(html).toContain(EMPTY_STATE);
    expect(html).not.toMatch(/<tr[^>]*data-user-id=/);
    const admins = await dashboard('/?role=admin'); // the first admin, made at start-up
    expect(admins).not.toContain(EMPTY_STATE);
    expect(admins).toMatch(/<tr[^>]*data-user-id=/);
  });

  it('server-renders a row per user, newest first', async () => {
    const older = await createUser(server.url, 'Rendered Older');
    const newer = await createUser(server.url, 'Rendered Newer');
    for (const user of [older, newer]) expect(JSON.parse((await stream.next()).data)).toEqual(user);

    const html = await dashboard();
    const olderRow = row(html, older);
    const newerRow = row(html, newer);
    expect(newerRow).toContain('>Rendered Newer</td>');
    expect(newerRow).toContain(`>${newer.email}</td>`);
    expect(olderRow).toContain('>Rendered Older</td>');
    expect(html.indexOf(newerRow ?? '-')).toBeLessThan(html.indexOf(olderRow ?? '-'));
  });

  it('creates a user through the form without JavaScript and announces it to subscribers', async () => {
    const email = uniqueEmail('form');
    const response = await submitForm(
      `${server.url}/`,
      createForm(await dashboard()),
      { name: 'Form Ada', email: email.toUpperCase() },
      { headers: signedIn },
    );

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Added Form Ada.');
    // The action and the /events route are bundled separately: this proves they share one hub.
    const message = await stream.next();
    expect(message.event).toBe('user_created');
    const user = JSON.parse(message.data) as UserDTO;
    expect(user).toMatchObject({ name: 'Form Ada', email });
    expect(await listUsers(server.url)).toContainEqual(user);
    expect(row(await dashboard(), user)).toContain('>Form Ada</td>');
  });

  it('answers invalid form input with field errors, keeps the values and creates nothing', async () => {
    const before = await listUsers(server.url);
    const response = await submitForm(
      `${server.url}/`,
      createForm(await dashboard()),
      { name: 'Kept Name', email: 'not-an-email' },
      { headers: signedIn },
    );

    expect(response.status).toBe(200);
    const form = createForm(await response.text());
    expect(form).toMatch(/<p id="email-error"[^>]*>Enter a valid email address<\/p>/);
    expect(form).toMatch(/<input[^>]*aria-invalid="true"[^>]*aria-describedby="email-error"/);
    expect(form).toContain('value="Kept Name"');
    expect(await listUsers(server.url)).toEqual(before);
  });

  it('deletes a user through its row form without JavaScript and announces it', async () => {
    const user = await createUser(server.url, 'Deleted By Form');
    expect((await stream.next()).event).toBe('user_created');
    const html = await dashboard();
    const form = findForm(row(html, user) ?? '', (f) => f.includes(`name="id" value="${user.id}"`));

    const response = await submitForm(`${server.url}/`, form, {}, { headers: signedIn });

    expect(response.status).toBe(200);
    const message = await stream.next();
    expect(message.event).toBe('user_deleted');
    expect(JSON.parse(message.data)).toEqual({ id: user.id, user });
    expect(row(await dashboard(), user)).toBeUndefined();
    expect((await listUsers(server.url)).some((u) => u.id === user.id)).toBe(false);
  });
});

// Reading the server-rendered directory: its rows, count, column headers and page links.

/** The ids of the rendered rows, top to bottom. */
const rowIds = (html: string): number[] => [...html.matchAll(/<tr[^>]*data-user-id="(\d+)"/g)].map((match) => Number(match[1]));

/** The count next to the heading, e.g. "1,204 users". */
const countText = (html: string): string | undefined => /data-testid="user-count"[^>]*>([^<]*)</.exec(html)?.[1];

function attributeOf(tag: string, name: string): string | undefined {
  const value = new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
  return value === undefined ? undefined : decodeEntities(value);
}

/** A column header: its aria-sort and where its link goes. */
function header(html: string, label: string): { ariaSort?: string; href?: string } {
  const match = new RegExp(`(<th\\b[^>]*>)\\s*(<a\\b[^>]*>)${label}<`).exec(html);
  return { ariaSort: attributeOf(match?.[1] ?? '', 'aria-sort'), href: attributeOf(match?.[2] ?? '', 'href') };
}

/** Where the Previous or Next link goes; null when it is rendered disabled. */
function pagerHref(html: string, label: 'Previous' | 'Next'): string | null {
  const nav = /<nav aria-label="Pages"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
  const link = new RegExp(`<a\\b[^>]*rel="${label === 'Next' ? 'next' : 'prev'}"[^>]*>${label}</a>`).exec(nav)?.[0];
  if (link) return attributeOf(link, 'href') ?? null;
  expect(nav).toMatch(new RegExp(`<span aria-disabled="true"[^>]*>${label}</span>`));
  return null;
}

const format = new Intl.NumberFormat('en-US');

describe('dashboard views (?q=&sort=&order=&cursor=)', () => {
  /** A page as the API has it: what the dashboard must render for the same view. */
  const apiPage = (query: PageQuery = {}): Promise<PageDTO> => listPage(server.url, { limit: 50, ...query });

  /** How many users there were before seeding. */
  let unseeded = 0;

  beforeAll(async () => {
    unseeded = (await apiPage()).total;
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: `file:${server.databaseFile}` };
    delete env.REDIS_URL;
    await promisify(execFile)('npm', ['run', 'db:seed', '--', '--users', '1200'], { env });
    // The seed's demo users are on record like any change, so their events reach the stream (at
    // the server's next read of the log); take them off before the tests that read it.
    for (let quiet = false; !quiet; ) quiet = await stream.next(2_000).then(() => false, () => true);
  });

  it('renders the newest 50 of all users, the total, and a Next link but no Previous on the first page', async () => {
    const html = await dashboard();
    const page = await apiPage();
    // The 1,200 generated users and the demo users.
    expect(page.total - unseeded).toBeGreaterThanOrEqual(1_200);
    expect(page.total - unseeded).toBeLessThanOrEqual(1_210);

    expect(rowIds(html)).toEqual(page.users.map((user) => user.id));
    expect(rowIds(html)).toHaveLength(50);
    expect(countText(html)).toBe(`${format.format(page.total)} users`);
    expect(countText(html)).toMatch(/^1,2\d\d users$/);
    expect(header(html, 'Created')).toEqual({ ariaSort: 'descending', href: '/?order=asc' });
    expect(header(html, 'Name')).toEqual({ ariaSort: 'none', href: '/?sort=name&order=asc' });
    expect(header(html, 'Email')).toEqual({ ariaSort: 'none', href: '/?sort=email&order=asc' });
    expect(pagerHref(html, 'Previous')).toBeNull();
    expect(pagerHref(html, 'Next')).toBe(`/?cursor=${page.nextCursor}`);
  });

  it('follows Next to the second page and Previous back to the first', async () => {
    const first = await apiPage();
    const second = await apiPage({ cursor: first.nextCursor ?? '' });

    const next = await dashboard(pagerHref(await dashboard(), 'Next') ?? '');
    expect(rowIds(next)).toEqual(second.users.map((user) => user.id));
    expect(countText(next)).toBe(`${format.format(first.total)} users`);
    expect(pagerHref(next, 'Next')).toBe(`/?cursor=${second.nextCursor}`);
    const previous = pagerHref(next, 'Previous');
    expect(previous).toBe(`/?cursor=${second.prevCursor}`);

    const back = await dashboard(previous ?? '');
    expect(rowIds(back)).toEqual(first.users.map((user) => user.id));
    expect(pagerHref(back, 'Previous')).toBeNull();
  });

  it('renders a search: a GET form labelled Search holding it, the matching rows and how many match', async () => {
    // Two letters: names and emails with a word that starts with them (John, Joan, José, Johnson…).
    const html = await dashboard('/?q=%20Jo%20');
    const page = await apiPage({ q: 'jo' });
    expect(page.total).toBeGreaterThan(50);

    expect(rowIds(html)).toEqual(page.users.map((user) => user.id));
    expect(countText(html)).toBe(`${format.format(page.total)} users match “Jo”`);
    for (const user of page.users) expect(`${user.name} ${user.email}`.toLowerCase()).toMatch(/(^|[^\p{L}\p{N}\p{M}])jo/u);
    const form = /<form\b[^>]*role="search"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
    expect(attributeOf(form.slice(0, form.indexOf('>') + 1), 'method')).toBe('get');
    expect(attributeOf(form.slice(0, form.indexOf('>') + 1), 'action')).toBe('/');
    expect(form).toMatch(/<label for="search"[^>]*>Search<\/label>/);
    expect(form).toMatch(/<input id="search"[^>]*name="q"[^>]*value=" Jo "/);
    expect(hiddenFields(form)).toEqual([]);
    // The headers and pages keep the search.
    expect(header(html, 'Name').href).toBe('/?q=+Jo+&sort=name&order=asc');
    expect(pagerHref(html, 'Next')).toBe(`/?q=+Jo+&cursor=${page.nextCursor}`);
  });

  it('says how many match, one or none', async () => {
    const one = await createUser(server.url, 'Unmistakable Quokka');
    expect((await stream.next()).event).toBe('user_created');
    const single = await dashboard('/?q=quokka');
    expect(rowIds(single)).toEqual([one.id]);
    expect(countText(single)).toBe('1 user matches “quokka”');
    expect(pagerHref(single, 'Next')).toBeNull();

    const none = await dashboard('/?q=no-such-user-anywhere');
    expect(rowIds(none)).toEqual([]);
    expect(countText(none)).toBe('0 users match “no-such-user-anywhere”');
    expect(none).toContain('No users match this search.');
  });

  it('counts a search of nothing but control characters as no search, as the API does', async () => {
    const all = await apiPage({ q: '\u0007\u0001' });
    expect(all.total).toBe((await apiPage()).total);
    const html = await dashboard('/?q=%07%01');
    expect(rowIds(html)).toEqual(all.users.map((user) => user.id));
    expect(countText(html)).toBe(`${format.format(all.total)} users`);
  });

  it('renders a sorted view with aria-sort on its column, and links that sort the other way or by another column', async () => {
    const html = await dashboard('/?sort=name&order=asc');
    const page = await apiPage({ sort: 'name', order: 'asc' });

    expect(rowIds(html)).toEqual(page.users.map((user) => user.id));
    expect(header(html, 'Name')).toEqual({ ariaSort: 'ascending', href: '/?sort=name' });
    expect(header(html, 'Email')).toEqual({ ariaSort: 'none', href: '/?sort=email&order=asc' });
    expect(header(html, 'Created')).toEqual({ ariaSort: 'none', href: '/' });
    expect(pagerHref(html, 'Next')).toBe(`/?sort=name&order=asc&cursor=${page.nextCursor}`);
    const form = /<form\b[^>]*role="search"[\s\S]*?<\/form>/.exec(html)?.[0] ?? '';
    expect(hiddenFields(form)).toEqual([
      ['sort', 'name'],
      ['order', 'asc'],
    ]);

    const byEmail = await dashboard('/?sort=email&order=desc');
    expect(rowIds(byEmail)).toEqual((await apiPage({ sort: 'email', order: 'desc' })).users.map((user) => user.id));
    expect(header(byEmail, 'Email')).toEqual({ ariaSort: 'descending', href: '/?sort=email&order=asc' });
    expect(header(byEmail, 'Name').ariaSort).toBe('none');
  });

  it('falls back to the first page for a cursor it cannot use, and to the defaults for parameters that make no sense', async () => {
    const first = await apiPage();
    const firstIds = first.users.map((user) => user.id);
    const byName = await apiPage({ sort: 'name', order: 'asc' });
    const forged = Buffer.from(JSON.stringify({ s: 'createdAt', o: 'desc', d: 'after', k: 'yesterday', i: 1 })).toString('base64url');

    for (const cursor of ['garbage!', forged, 'A'.repeat(1_001)]) {
      const html = await dashboard(`/?cursor=${encodeURIComponent(cursor)}`);
      expect(rowIds(html), cursor).toEqual(firstIds);
      expect(pagerHref(html, 'Previous')).toBeNull();
    }
    // A cursor made for another sort.
    const html = await dashboard(`/?sort=name&order=asc&cursor=${first.nextCursor}`);
    expect(rowIds(html)).toEqual(byName.users.map((user) => user.id));
    expect(header(html, 'Name').ariaSort).toBe('ascending');

    const nonsense = await dashboard(`/?sort=age&order=sideways&limit=3&q=${'x'.repeat(101)}`);
    expect(rowIds(nonsense)).toEqual(firstIds);
    expect(countText(nonsense)).toBe(`${format.format(first.total)} users`);
  });
});

describe('the edit page /users/{id}/edit', () => {
  const editPage = async (path: string): Promise<string> => {
    const response = await fetch(`${server.url}${path}`, { headers: signedIn });
    expect(response.status, path).toBe(200);
    return response.text();
  };
  const editForm = (html: string) => findForm(html, (form) => form.includes('name="version"'));

  it('renders a form with the user at its version, and where to go back to', async () => {
    const user = await createUser(server.url, 'Edit Me', uniqueEmail('edit'));
    expect((await stream.next()).event).toBe('user_created');

    const html = await editPage(`/users/${user.id}/edit?return=${encodeURIComponent('/?q=edit')}`);
    expect(html).toMatch(/<h1[^>]*>Edit (<!-- -->)?Edit Me<\/h1>/);
    const form = editForm(html);
    // And what the fields started from, so a stale save keeps only what was changed (lib/shared/merge-edit.ts).
    expect(hiddenFields(form).filter(([name]) => !name.startsWith('$'))).toEqual([
      ['id', String(user.id)],
      ['version', '1'],
      ['return', '/?q=edit'],
      ['was-name', 'Edit Me'],
      ['was-email', user.email],
      ['was-role', 'none'],
    ]);
    expect(form).toMatch(/<label for="edit-\d+-name"[^>]*>Name<\/label>/);
    expect(form).toMatch(/<input[^>]*name="name"[^>]*value="Edit Me"/);
    expect(form).toMatch(new RegExp(`<input[^>]*name="email"[^>]*value="${user.email}"`));
    expect(form).toMatch(/<a href="\/\?q=edit"[^>]*>Cancel<\/a>/);

    // The row's Edit link opens it, coming back to the same view.
    const row = new RegExp(`<tr[^>]*data-user-id="${user.id}"[^>]*>[\\s\\S]*?</tr>`).exec(await dashboard('/?q=edit+me'))?.[0] ?? '';
    expect(attributeOf(/<a\b[^>]*>Edit<\/a>/.exec(row)?.[0] ?? '', 'href')).toBe(`/users/${user.id}/edit?return=${encodeURIComponent('/?q=edit+me')}`);
  });

  // Browsers drop tabs and line breaks from URLs, so "/<tab>/evil.example/" is //evil.example/.
  it.each(['//evil.example/', '/\\evil.example', '/\t/evil.example/', 'https://evil.example/', 'javascript:alert(1)'])(
    'goes back to / rather than to return=%j',
    async (target) => {
      const user = await createUser(server.url, 'Not Redirected', uniqueEmail('redirect'));
      expect((await stream.next()).event).toBe('user_created');
      const form = editForm(await editPage(`/users/${user.id}/edit?return=${encodeURIComponent(target)}`));
      expect(hiddenFields(form)).toContainEqual(['return', '/']);
    },
  );

  it.each(['2000000000', 'abc', '0', '99999999999'])('answers 404 for the user %s', async (id) => {
    const response = await fetch(`${server.url}/users/${id}/edit`, { headers: signedIn });
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('name="version"');
  });

  it('sends anonymous visitors to /login', async () => {
    const user = (await listPage(server.url, { limit: 1 })).users[0];
    const response = await fetch(`${server.url}/users/${user?.id ?? 1}/edit`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(new URL(response.headers.get('location') ?? '', server.url).pathname).toBe('/login');
  });

  it('saves an edit without JavaScript, goes back, and announces it with the user before and after', async () => {
    const user = await createUser(server.url, 'Before Edit', uniqueEmail('form-edit'));
    expect((await stream.next()).event).toBe('user_created');
    const path = `/users/${user.id}/edit?return=${encodeURIComponent('/?q=after+edit')}`;
    const form = editForm(await editPage(path));
    const email = uniqueEmail('edited');

    const response = await submitForm(`${server.url}${path}`, form, { name: 'After Edit', email: email.toUpperCase() }, { headers: signedIn, redirect: 'manual' });

    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/?q=after+edit');
    const message = await stream.next();
    expect(message.event).toBe('user_updated');
    const { user: after, previous } = JSON.parse(message.data) as { user: UserDTO; previous: UserDTO };
    expect(previous).toEqual(user);
    expect(after).toMatchObject({ id: user.id, name: 'After Edit', email, version: 2 });
    expect(await (await fetchUser(server.url, user.id)).json()).toEqual(after);
    const html = await dashboard('/?q=after+edit');
    expect(rowIds(html)).toEqual([user.id]);
    expect(html).toContain('>After Edit</td>');
  });

  it('never sends the browser to another site, whatever return the form posts', async () => {
    const user = await createUser(server.url, 'Posted Return', uniqueEmail('posted-return'));
    expect((await stream.next()).event).toBe('user_created');
    const path = `/users/${user.id}/edit`;
    const form = editForm(await editPage(path));
    expect(form).toContain('name="return" value="/"');

    for (const [version, target] of [['1', '//evil.example/'], ['2', '/\t/evil.example/'], ['3', '/\\evil.example/']] as const) {
      const forged = form.replace('name="return" value="/"', `name="return" value="${target}"`).replace(/name="version" value="\d+"/, `name="version" value="${version}"`);
      const response = await submitForm(`${server.url}${path}`, forged, { name: `Posted Return ${version}`, email: user.email }, { headers: signedIn, redirect: 'manual' });
      expect((await stream.next()).event).toBe('user_updated');
      const location = response.headers.get('location');
      // Saved either way; the answer stays on this site (the page itself, or a redirect within it).
      if (location !== null) expect(new URL(location, server.url).origin, JSON.stringify(target)).toBe(new URL(server.url).origin);
    }
  });

  it('refuses a stale edit, keeps what was typed beside what was saved meanwhile, at the new version, and changes nothing', async () => {
    const user = await createUser(server.url, 'Stale Base', uniqueEmail('stale'));
    expect((await stream.next()).event).toBe('user_created');
    const path = `/users/${user.id}/edit`;
    const form = editForm(await editPage(path));
    const current = (await (await patchUser(server.url, user.id, { name: 'Changed Elsewhere' }, 1)).json()) as UserDTO;
    expect((await stream.next()).event).toBe('user_updated');

    const response = await submitForm(`${server.url}${path}`, form, { name: 'Kept Edit', email: user.email }, { headers: signedIn, redirect: 'manual' });

    expect(response.status).toBe(200);
    const again = editForm(await response.text());
    expect(again).toContain('Changed by someone else while you were editing: your changes are kept.');
    expect(hiddenFields(again)).toContainEqual(['version', '2']);
    expect(hiddenFields(again)).toContainEqual(['was-name', 'Changed Elsewhere']);
    expect(again).toMatch(/<input[^>]*name="name"[^>]*value="Kept Edit"/);
    expect(again).toMatch(/<p id="edit-\d+-name-note"[^>]*>Saved meanwhile by someone else: “Changed Elsewhere”<\/p>/);
    expect(await (await fetchUser(server.url, user.id)).json()).toEqual(current);

    // Nothing was announced: the next event is this marker.
    const marker = await createUser(server.url, 'After The Stale Edit');
    expect(JSON.parse((await stream.next()).data)).toEqual(marker);
  });

  it('answers invalid input with field errors and keeps the values, changing nothing', async () => {
    const user = await createUser(server.url, 'Valid Before', uniqueEmail('invalid'));
    expect((await stream.next()).event).toBe('user_created');
    const path = `/users/${user.id}/edit`;

    const response = await submitForm(`${server.url}${path}`, editForm(await editPage(path)), { name: 'Kept Edit', email: 'not-an-email' }, { headers: signedIn, redirect: 'manual' });

    expect(response.status).toBe(200);
    const form = editForm(await response.text());
    expect(form).toMatch(/<p id="edit-\d+-email-error"[^>]*>Enter a valid email address<\/p>/);
    expect(form).toMatch(/<input[^>]*name="name"[^>]*value="Kept Edit"/);
    expect(await (await fetchUser(server.url, user.id)).json()).toEqual(user);
  });
});

// Last: it adds 10,001 users, more than the views above expect.
describe('a search with more matches than are counted', () => {
  it('says "10,000+ users match", and the API says its total is not exact', async () => {
    const tag = uniqueTag();
    const created = '2020-01-01T00:00:00.000Z';
    const rows = Array.from({ length: TOTAL_CAP + 1 }, (_, i) => ({ name: `Many ${tag} ${i}`, email: `many${i}.${tag}@example.com`, createdAt: created }));
    await insertRows({ kind: 'sqlite', file: server.databaseFile }, rows);

    const page = await listPage(server.url, { q: tag });
    expect(page).toMatchObject({ total: TOTAL_CAP, totalIsExact: false });
    expect(page.users).toHaveLength(50);
    expect(countText(await dashboard(`/?q=${tag}`))).toBe(`10,000+ users match “${tag}”`);
    // One fewer: exact again.
    expect((await deleteUser(server.url, page.users[0]?.id ?? 0)).status).toBe(204);
    expect(await listPage(server.url, { q: tag, limit: 1 })).toMatchObject({ total: TOTAL_CAP, totalIsExact: true });
  }, 60_000);
});
