// The REST contract of /api/users against the real server and a real SQLite file.
import { describe, expect, inject, it } from 'vitest';
import type { PageDTO, UserDTO } from '@/lib/shared/dto';
import { authHeaders, createUser, deleteUser, health, listUsers, postUser, uniqueEmail } from '../support/api';

const baseUrl = inject('baseUrl');

type ErrorBody = { error: string; fieldErrors?: Record<string, string[]> };

describe('POST /api/users', () => {
  it('creates a user and answers 201 with exactly the DTO fields, email normalised', async () => {
    const email = uniqueEmail('Shape');
    const before = Date.now();
    const response = await postUser(baseUrl, { name: '  Ada Lovelace ', email: `  ${email.toUpperCase()} ` });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as UserDTO;
    expect(Object.keys(body).sort()).toEqual(['createdAt', 'email', 'id', 'name', 'role', 'updatedAt', 'version']);
    expect(body).toMatchObject({ name: 'Ada Lovelace', email: email.toLowerCase(), version: 1, updatedAt: body.createdAt });
    expect(Number.isInteger(body.id) && body.id > 0).toBe(true);
    expect(body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Date.parse(body.createdAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(body.createdAt)).toBeLessThanOrEqual(Date.now());
    expect(await listUsers(baseUrl)).toContainEqual(body);
  });

  it.each([
    ['an empty name', { name: ' ', email: 'empty-name@example.com' }, ['name']],
    ['an invalid email', { name: 'Ada', email: 'ada-at-example.com' }, ['email']],
    ['a name with a control character', { name: 'Ada\u0007', email: 'bell@example.com' }, ['name']],
    ['a name of 101 characters', { name: 'x'.repeat(101), email: 'long@example.com' }, ['name']],
    ['both fields missing', {}, ['email', 'name']],
    ['an unknown field', { name: 'Ada', email: 'extra@example.com', nickname: 'Countess' }, ['form']],
    ['a JSON array', [], ['form']],
  ])('answers 400 with fieldErrors for %s and stores nothing', async (_case, body, fields) => {
    const before = await listUsers(baseUrl);
    const response = await postUser(baseUrl, body);

    expect(response.status).toBe(400);
    const error = (await response.json()) as ErrorBody;
    expect(error.error).toBe('Invalid input');
    expect(Object.keys(error.fieldErrors ?? {}).sort()).toEqual(fields);
    for (const messages of Object.values(error.fieldErrors ?? {})) expect(messages[0]).toEqual(expect.any(String));
    expect(await listUsers(baseUrl)).toEqual(before);
  });

  it('answers 400 (not 500) to a body that is not JSON', async () => {
    for (const body of ['{"name": "Ada",', 'name=Ada&email=ada@example.com', '']) {
      const response = await postUser(baseUrl, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        error: 'Invalid input',
        fieldErrors: { form: ['Request body must be valid JSON'] },
      });
    }
  });

  it('answers 409 to an email that exists in another case, and keeps the first user', async () => {
    const email = uniqueEmail('Dup');
    const first = await createUser(baseUrl, 'First', email);

    const response = await postUser(baseUrl, { name: 'Second', email: email.toUpperCase() });

    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({
      error: 'Conflict',
      fieldErrors: { email: ['A user with this email already exists'] },
    });
    const owners = (await listUsers(baseUrl)).filter((u) => u.email === email.toLowerCase());
    expect(owners).toEqual([first]);
  });
});

describe('GET /api/users', () => {
  it('answers a page of users, newest first, with the total and cursors', async () => {
    const older = await createUser(baseUrl, 'Older');
    const newer = await createUser(baseUrl, 'Newer');

    const response = await fetch(`${baseUrl}/api/users`, { headers: authHeaders() });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const page = (await response.json()) as PageDTO;
    expect(Object.keys(page).sort()).toEqual(['lastEventId', 'nextCursor', 'prevCursor', 'total', 'totalIsExact', 'users']);
    expect(page.users.slice(0, 2)).toEqual([newer, older]);
    const ids = page.users.map((u) => u.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(page.users.length).toBe(Math.min(page.total, 50));
    expect(page.prevCursor).toBeNull();
    expect(page.nextCursor === null).toBe(page.total <= 50);
    expect(page.total).toBe((await listUsers(baseUrl)).length);
  });

  it('sends an ETag and answers 304 to If-None-Match until the list changes', async () => {
    const first = await fetch(`${baseUrl}/api/users`, { headers: authHeaders() });
    const etag = first.headers.get('etag');
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^"[^"]+"$/);
    await first.arrayBuffer();

    const unchanged = await fetch(`${baseUrl}/api/users`, { headers: { ...authHeaders(), 'If-None-Match': etag ?? '' } });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(await unchanged.text()).toBe('');

    await createUser(baseUrl, 'Changes The List');
    const changed = await fetch(`${baseUrl}/api/users`, { headers: { ...authHeaders(), 'If-None-Match': etag ?? '' } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
    expect(((await changed.json()) as PageDTO).users[0]?.name).toBe('Changes The List');
  });

  it('sends X-Last-Event-Id: the cursor the list is current as of', async () => {
    const before = Number((await fetch(`${baseUrl}/api/users`, { headers: authHeaders() })).headers.get('x-last-event-id'));
    await createUser(baseUrl, 'Moves The Cursor');
    const response = await fetch(`${baseUrl}/api/users`, { headers: authHeaders() });
    const after = Number(response.headers.get('x-last-event-id'));

    expect(after).toBe(before + 1);
    expect(after).toBe((await health(baseUrl)).lastEventId);
    const page = (await response.json()) as PageDTO;
    expect(page.lastEventId).toBe(after);
    expect(page.users[0]?.name).toBe('Moves The Cursor');
  });
});

describe('DELETE /api/users/{id}', () => {
  it('answers 204 and removes the user; a second DELETE answers 404', async () => {
    const user = await createUser(baseUrl, 'Short Lived');

    const response = await deleteUser(baseUrl, user.id);
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
    expect((await listUsers(baseUrl)).some((u) => u.id === user.id)).toBe(false);

    const again = await deleteUser(baseUrl, user.id);
    expect(again.status).toBe(404);
    expect(((await again.json()) as ErrorBody).error).toEqual(expect.any(String));
  });

  it.each(['abc', '1.5', '0', '-1', '99999999999', '%20', 'NaN'])(
    'answers 404 or 400, never 500, to the id %j and deletes nothing',
    async (id) => {
      const before = await listUsers(baseUrl);
      const response = await deleteUser(baseUrl, id);
      expect([400, 404]).toContain(response.status);
      expect(((await response.json()) as ErrorBody).error).toEqual(expect.any(String));
      expect(await listUsers(baseUrl)).toEqual(before);
    },
  );
});
