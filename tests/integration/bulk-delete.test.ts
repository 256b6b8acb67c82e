// "Delete selected" and its Undo on a real `npm start` over SQLite and over PostgreSQL, posted as the
// dashboard's forms are without JavaScript (the checked rows' `id`s): the users go, each with its own
// event and activity entry; Undo brings them back with the same ids and created times, reporting one
// whose email was taken meanwhile and restoring the rest; a selection counts against the writer's
// allowance by its size and stops where the allowance does; an editor's selection stops at someone
// with a role; a viewer's deletes no one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityPageDTO, UserDTO } from '@/lib/shared/dto';
import { ADMINS_ONLY_MESSAGE, VIEWER_MESSAGE } from '@/lib/shared/roles';
import { authHeaders, fetchUser, postUser, uniqueEmail } from '../support/api';
import { decodeEntities, findForm, hiddenFields, submitForm } from '../support/html';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { type PostgresTestServer, startServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';
import { clientAddress, signedInPerson, signIn } from '../support/session';

const pgUp = await servicesUp('postgres');
/** Each person's allowance: a selection of more users than this stops at it. */
const PER_MINUTE = 6;
/**
 * Admin tokens the set-up writes through in turn: each is a principal with an allowance of its own,
 * so making the users of a test does not use up the allowance the test is about.
 */
const SEEDERS = Array.from({ length: 12 }, (_, i) => `bulk-seeder-token-${i}-0123456789`);
let seeded = 0;
const seeder = () => SEEDERS[seeded++ % SEEDERS.length]!;

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`Delete selected on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;
    const url = () => server.url;

    beforeAll(async () => {
      const env = { RATE_LIMIT_WRITES_PER_MIN: String(PER_MINUTE), API_TOKENS: SEEDERS.map((token, i) => `seeder${i}:${token}:admin`).join(',') };
      if (database === 'PostgreSQL') {
        pg = await freshDatabase('bulk');
        server = await startServer({ databaseUrl: pg.url, env });
      } else {
        server = await startServer({ env });
      }
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    async function made(label: string, count: number, extra: Record<string, unknown> = {}): Promise<UserDTO[]> {
      const users: UserDTO[] = [];
      for (let i = 1; i <= count; i++) {
        const response = await postUser(url(), { name: `${label} ${i}`, email: uniqueEmail(label.toLowerCase()), ...extra }, { auth: { bearer: seeder() } });
        expect(response.status, await response.clone().text()).toBe(201);
        users.push((await response.json()) as UserDTO);
      }
      return users;
    }

    const exists = async (id: number) => (await fetchUser(url(), id)).status === 200;

    /** The page's text as shown: entities decoded, and without the empty comments React puts where text parts meet. */
    const shown = (html: string) => decodeEntities(html).replaceAll('<!-- -->', '');

    /** Posts a form of the dashboard as `cookie`'s browser without JavaScript; the page it answers with (HTML). */
    async function post(cookie: string, form: string, values: Record<string, string | string[]>): Promise<string> {
      const response = await submitForm(`${url()}/`, form, values, { headers: { Cookie: cookie, Origin: url(), 'X-Forwarded-For': clientAddress() } });
      expect(response.status).toBe(200);
      return response.text();
    }

    /** Checks `users` on the dashboard and presses "Delete selected": the page that answers. */
    async function deleteSelected(cookie: string, users: UserDTO[]): Promise<string> {
      const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
      const form = findForm(dashboard, (f) => f.includes('id="bulk-delete"'));
      return post(cookie, form, { id: users.map((user) => String(user.id)) });
    }

    it('deletes the checked users, one event each; Undo restores them as they were and reports an email taken meanwhile', async () => {
      const cookie = await signIn(url());
      const users = await made('Selected', 3);
      const page = await deleteSelected(cookie, users);
      expect(shown(page).match(/Deleted[^<]*/)?.[0]).toBe('Deleted 3 users');
      for (const user of users) expect(await exists(user.id)).toBe(false);
      const activity = (await (await fetch(`${url()}/api/activity`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      const deleted = activity.entries.flatMap((entry) => (entry.kind === 'deleted' ? [entry.user.id] : []));
      expect(deleted.filter((id) => users.some((user) => user.id === id)).sort()).toEqual(users.map((user) => user.id).sort());

      // Someone takes the second one's email; then Undo, from the notice the answer shows.
      const taken = await postUser(url(), { name: 'Email Taker', email: users[1]!.email }, { auth: { bearer: seeder() } });
      expect(taken.status).toBe(201);
      const undo = findForm(page, (f) => f.includes('>Undo</button>'));
      expect(hiddenFields(undo).filter(([name]) => name === 'id').map(([, id]) => Number(id))).toEqual(users.map((user) => user.id));
      const undone = await post(cookie, undo, {});
      expect(shown(undone)).toContain('Restored 2 users.');
      expect(shown(undone)).toContain(`Selected 2 cannot come back: ${users[1]!.email} belongs to another user now.`);
      for (const user of [users[0]!, users[2]!]) {
        const back = (await (await fetchUser(url(), user.id)).json()) as UserDTO;
        expect(back).toMatchObject({ id: user.id, name: user.name, email: user.email, role: user.role, createdAt: user.createdAt });
      }
      expect(await exists(users[1]!.id)).toBe(false);
    });

    it('counts each user against the writer’s allowance, and stops where it ends', async () => {
      const { cookie } = await signedInPerson(url(), 'editor', `Limits ${database}`, seeder());
      const users = await made('Allowance', PER_MINUTE + 2);
      const page = await deleteSelected(cookie, users);
      expect(shown(page)).toMatch(new RegExp(`Deleted ${PER_MINUTE} users, then stopped: You are making changes too quickly\\. Try again in \\d+ s\\.`));
      const left = [];
      for (const user of users) if (await exists(user.id)) left.push(user.id);
      expect(left).toEqual(users.slice(PER_MINUTE).map((user) => user.id));
    });

    it('stops an editor’s selection at someone with a role, and a viewer’s deletes no one', async () => {
      const editor = await signedInPerson(url(), 'editor', `Roles ${database}`, seeder());
      const [plain] = await made('Plain', 1);
      const [withRole] = await made('Roled', 1, { role: 'viewer' });
      const [after] = await made('After', 1);
      const page = await deleteSelected(editor.cookie, [plain!, withRole!, after!]);
      expect(shown(page)).toContain(`Deleted Plain 1, then stopped: ${ADMINS_ONLY_MESSAGE}`);
      expect([await exists(plain!.id), await exists(withRole!.id), await exists(after!.id)]).toEqual([false, true, true]);

      const viewer = await signedInPerson(url(), 'viewer', `Roles ${database}`, seeder());
      const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: editor.cookie } })).text();
      const form = findForm(dashboard, (f) => f.includes('id="bulk-delete"'));
      const refused = await post(viewer.cookie, form, { id: [String(after!.id)] });
      expect(shown(refused)).toContain(VIEWER_MESSAGE);
      expect(await exists(after!.id)).toBe(true);
    });

    /** Checks `users`, picks `to` and presses "Change role", as `cookie`'s browser without JavaScript: the page that answers. */
    async function changeRole(cookie: string, users: UserDTO[], to: string): Promise<string> {
      const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
      const form = findForm(dashboard, (f) => f.includes('id="bulk-delete"'));
      // A browser sends the button pressed with the form (an editor's form has none: sent as if it had).
      return post(cookie, form, { intent: 'role', id: users.map((user) => String(user.id)), to });
    }

    const roleOf = async (id: number) => ((await (await fetchUser(url(), id)).json()) as UserDTO).role;

    it('changes the role of the checked users (admins only), one event each, within the writer’s allowance', async () => {
      const admin = await signedInPerson(url(), 'admin', `Role admin ${database}`, seeder());
      const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: admin.cookie } })).text();
      expect(findForm(dashboard, (f) => f.includes('id="bulk-delete"'))).toMatch(/<button[^>]*value="role"[^>]*>Change role<\/button>/);
      const users = await made('Promoted', 3);
      const page = await changeRole(admin.cookie, users, 'editor');
      expect(shown(page)).toContain('Made 3 users Editor.');
      for (const user of users) expect(await roleOf(user.id)).toBe('editor');
      const activity = (await (await fetch(`${url()}/api/activity`, { headers: authHeaders() })).json()) as ActivityPageDTO;
      const edited = activity.entries.flatMap((entry) => (entry.kind === 'edited' && users.some((user) => user.id === entry.user.id) ? [entry] : []));
      expect(edited.map((entry) => [entry.user.id, entry.changes, entry.actor?.id])).toEqual(
        [...users].reverse().map((user) => [user.id, [{ field: 'role', from: 'none', to: 'editor' }], admin.user.id]),
      );
      // Those who have the role already are left as they are; a bad role changes no one.
      const again = await changeRole(admin.cookie, users.slice(0, 1), 'editor');
      expect(shown(again)).not.toContain('Made');
      expect(((await (await fetchUser(url(), users[0]!.id)).json()) as UserDTO).version).toBe(2);
      const bad = await changeRole(admin.cookie, users, 'owner');
      expect(shown(bad)).toContain('Role must be none, viewer, editor or admin');
      for (const user of users) expect(await roleOf(user.id)).toBe('editor');

      const many = await made('Many', PER_MINUTE + 1);
      const limited = await signedInPerson(url(), 'admin', `Role limits ${database}`, seeder());
      expect(shown(await changeRole(limited.cookie, many, 'viewer'))).toMatch(new RegExp(`Made ${PER_MINUTE} users Viewer, then stopped: You are making changes too quickly`));
      expect(await roleOf(many.at(-1)!.id)).toBe('none');
    });

    it('refuses an editor’s Change role, changing no one', async () => {
      const editor = await signedInPerson(url(), 'editor', `Role editor ${database}`, seeder());
      const [plain] = await made('Unpromoted', 1);
      expect(shown(await changeRole(editor.cookie, [plain!], 'admin'))).toContain(ADMINS_ONLY_MESSAGE);
      expect(await roleOf(plain!.id)).toBe('none');
    });

    it('refuses more than a page of users, and ids that are not ids, deleting nothing', async () => {
      // Someone with an allowance of their own (the admin's went on the first test).
      const { cookie } = await signedInPerson(url(), 'editor', `Checks ${database}`, seeder());
      const [kept] = await made('Kept', 1);
      const dashboard = await (await fetch(`${url()}/`, { headers: { Cookie: cookie } })).text();
      const form = findForm(dashboard, (f) => f.includes('id="bulk-delete"'));
      const tooMany = await post(cookie, form, { id: [String(kept!.id), ...Array.from({ length: 50 }, (_, i) => String(1_000_000 + i))] });
      expect(shown(tooMany)).toContain('Select at most 50 users at a time');
      const notIds = await post(cookie, form, { id: [String(kept!.id), 'DROP TABLE'] });
      expect(shown(notIds)).toContain('User id must be a positive whole number');
      expect(await exists(kept!.id)).toBe(true);
    });
  });
}
