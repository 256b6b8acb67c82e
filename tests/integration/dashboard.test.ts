// The dashboard page and its server actions, on a server and database of its own: the first test
// needs a database nobody has written to, whatever order the files run in. The tests run in order,
// signed in through the real login form, as a browser without JavaScript would be.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/dto';
import { createUser, listUsers, uniqueEmail } from '../support/api';
import { findForm, submitForm } from '../support/html';
import { type TestServer, startServer } from '../support/server';
import { signIn } from '../support/session';
import { SseClient } from '../support/sse';

const EMPTY_STATE = 'No users yet';

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

async function dashboard(): Promise<string> {
  const response = await fetch(`${server.url}/`, { headers: signedIn });
  expect(response.status).toBe(200);
  return response.text();
}

/** The server-rendered table row of a user (not the same data in the page's RSC payload). */
function row(html: string, user: Pick<UserDTO, 'id'>): string | undefined {
  return new RegExp(`<tr[^>]*data-user-id="${user.id}"[^>]*>[\\s\\S]*?</tr>`).exec(html)?.[0];
}

const createForm = (html: string) => findForm(html, (form) => form.includes('aria-label="Add a user"'));

describe('dashboard /', () => {
  it('shows the empty state on an empty database', async () => {
    const html = await dashboard();
    expect(html).toContain(EMPTY_STATE);
    expect(html).not.toMatch(/<tr[^>]*data-user-id=/);
  });

  it('server-renders a row per user, newest first, and drops the empty state', async () => {
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
    expect(html).not.toContain(EMPTY_STATE);
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
    expect(JSON.parse(message.data)).toEqual({ id: user.id });
    expect(row(await dashboard(), user)).toBeUndefined();
    expect((await listUsers(server.url)).some((u) => u.id === user.id)).toBe(false);
  });
});
