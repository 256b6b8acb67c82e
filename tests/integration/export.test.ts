// GET /api/users/export on a real `npm start`, over SQLite and PostgreSQL: every user of the view (not
// a page of it) in the view's order, streamed past several batches, as CSV with a header row and a
// dated file name; formulas neutralised; a selection (ids) alone; a reader may export, no one else.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { authHeaders, listPage, type PageQuery, postUser, uniqueEmail } from '../support/api';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { startServer, type PostgresTestServer, type TestServer } from '../support/server';
import { servicesUp } from '../support/services';

const pgUp = await servicesUp('postgres');
const VIEWER = 'export-viewer-token-0123456789';

for (const database of ['SQLite', 'PostgreSQL'] as const) {
  describe.skipIf(database === 'PostgreSQL' && !pgUp)(`exporting a view on ${database}`, () => {
    let server: TestServer | PostgresTestServer;
    let pg: TestDatabase | undefined;

    beforeAll(async () => {
      const env = { API_TOKENS: `looker:${VIEWER}:viewer` };
      if (database === 'PostgreSQL') pg = await freshDatabase('export');
      server = pg ? await startServer({ databaseUrl: pg.url, env }) : await startServer({ env });
      const seedEnv: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: pg ? pg.url : `file:${(server as TestServer).databaseFile}` };
      delete seedEnv.REDIS_URL;
      // More users than one batch of the walk (1,000) holds, so the export crosses batches, and than
      // a search counts (10,000), so a search that matches everyone walks the sort's index.
      await promisify(execFile)('npm', ['run', 'db:seed', '--', '--users', '12000'], { env: seedEnv });
    }, 120_000);
    afterAll(async () => {
      await server?.stop();
      await pg?.drop();
    });

    const exported = (query: string, headers: Record<string, string> = authHeaders()) => fetch(`${server.url}/api/users/export${query}`, { headers });

    /** Every user of a view as the paged API walks it. */
    async function walk(view: PageQuery): Promise<UserDTO[]> {
      const users: UserDTO[] = [];
      for (let cursor: string | undefined; ; ) {
        const page = await listPage(server.url, { ...view, limit: 200, cursor });
        users.push(...page.users);
        if (!page.nextCursor) return users;
        cursor = page.nextCursor;
      }
    }

    /** The rows of an export, after its byte-order mark (which `Response.text()` would drop unseen). */
    async function rowsOf(response: Response): Promise<string[][]> {
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      return parse(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes.slice(3))) as string[][];
    }

    it('streams every user of the whole directory in its order, with a header row and a dated file name', async () => {
      const response = await exported('');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toBe(`attachment; filename="roster-users-${new Date().toISOString().slice(0, 10)}.csv"`);
      const [header, ...rows] = await rowsOf(response);
      expect(header).toEqual(['name', 'email', 'role', 'createdAt']);
      const all = await walk({});
      expect(rows.length).toBeGreaterThan(12_000);
      expect(rows).toEqual(all.map((user) => [user.name, user.email, user.role, user.createdAt]));
    });

    it('exports a search, a role and a sort exactly as the view lists them', async () => {
      const views = [
        { q: 'lovelace', sort: 'name', order: 'asc' }, // a search with few matches: collected from the trigram index
        { q: 'user1', sort: 'email', order: 'desc' },
        { q: 'example.com', sort: 'createdAt', order: 'asc' }, // everyone: the sort's index walked, each row tested
        { q: 'ad', sort: 'name', order: 'desc' }, // a word's start
        { role: 'admin' },
        { q: 'grace', role: 'none', sort: 'email', order: 'asc' },
      ] as PageQuery[];
      for (const view of views) {
        const query = `?${new URLSearchParams(view as Record<string, string>).toString()}`;
        const [, ...rows] = await rowsOf(await exported(query));
        const listed = await walk(view);
        expect(listed.length).toBeGreaterThan(0);
        expect(rows).toEqual(listed.map((user) => [user.name, user.email, user.role, user.createdAt]));
      }
    });

    it('neutralises cells a spreadsheet would run as a formula, and quotes what needs quoting', async () => {
      const tag = uniqueEmail('formula').split('@')[0]!;
      const names = ['=HYPERLINK("http://evil.example")', '+1 Plus', '-2 Minus', '@SUM Sign', 'Comma, "Quoted"'];
      for (const [i, name] of names.entries()) expect((await postUser(server.url, { name, email: `${tag}-${i}@example.com` })).status).toBe(201);
      const response = await exported(`?q=${tag}&sort=email&order=asc`);
      const text = await response.clone().text();
      const [, ...rows] = await rowsOf(response);
      expect(rows.map((row) => row[0])).toEqual([`'=HYPERLINK("http://evil.example")`, `'+1 Plus`, `'-2 Minus`, `'@SUM Sign`, 'Comma, "Quoted"']);
      expect(text).toContain('"Comma, ""Quoted"""');
    });

    it('exports just a selection (ids) in the view’s order; a bad or too large selection is a 400', async () => {
      const picked = (await listPage(server.url, { q: 'lovelace', sort: 'name', order: 'asc', limit: 5 })).users;
      expect(picked.length).toBe(5);
      const ids = [picked[3]!, picked[0]!, picked[4]!].map((user) => user.id);
      const query = `?sort=name&order=desc&${ids.map((id) => `id=${id}`).join('&')}&id=${2 ** 30}`;
      const [header, ...rows] = await rowsOf(await exported(query));
      expect(header).toEqual(['name', 'email', 'role', 'createdAt']);
      // The view's order (name, descending), not the order the ids came in; an id of no one is no row.
      expect(rows).toEqual([picked[4]!, picked[3]!, picked[0]!].map((user) => [user.name, user.email, user.role, user.createdAt]));
      for (const bad of ['?id=DROP', `?${Array.from({ length: 51 }, (_, i) => `id=${i + 1}`).join('&')}`]) {
        const response = await exported(bad);
        expect(response.status).toBe(400);
        expect(((await response.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors.id?.length).toBe(1);
      }
    });

    it('is open to anyone who may read the directory, and to no one else; a bad view is a 400', async () => {
      expect((await exported('?role=admin', { Authorization: `Bearer ${VIEWER}` })).status).toBe(200);
      const anonymous = await exported('', {});
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toEqual({ error: expect.any(String) });
      const bad = await exported('?sort=password');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { fieldErrors: Record<string, string[]> }).fieldErrors.sort).toBeDefined();
    });
  });
}
