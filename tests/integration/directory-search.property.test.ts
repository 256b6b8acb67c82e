// One match rule and one order, whoever applies them: the browser places live events in the
// visible page with matchesSearch (lib/shared/directory/keys.ts) and compareInView
// (lib/shared/directory/view.ts), the database answers GET /api/users with LIKE on the stored keys and
// ORDER BY. For generated names, emails and searches — LIKE's %, _ and \, spaces, mixed case,
// letters whose case changes their length (ß, İ), combining marks, emoji — the rows and the order
// the API answers must be the ones the browser functions give, on SQLite and on PostgreSQL.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { matchesSearch, searchTerm } from '@/lib/shared/directory/keys';
import { compareInView, type Order, type Sort } from '@/lib/shared/directory/view';
import type { UserDTO } from '@/lib/shared/dto';
import { createUser, listPage, listUsers } from '../support/api';
import { idsOf, uniqueTag } from '../support/directory';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { type PostgresTestServer, startServer } from '../support/server';
import { servicesUp } from '../support/services';

const RUNS = 25;
const postgresUp = await servicesUp('postgres');

/** What names are made of: LIKE's specials, case pairs of every kind, marks and emoji. */
const NAME_CHARS = [
  'a', 'A', 'b', 'S', 's', '0', ' ', ' ', '%', '_', '\\', '.', '-', "'", '"',
  'É', 'é', 'ß', 'ẞ', 'İ', 'ı', 'i', 'I', 'Σ', 'σ', 'ς', 'ǅ', '\u212a', 'k', '\u0301', '😀', '👩‍💻', '\u00a0',
];
/** What the part of an email before the @ may be made of (zod's rule), in both cases. */
const EMAIL_CHARS = ['a', 'B', 'k', 'S', '0', '9', '_', '+', '-'];
/** What a search may carry besides the text it looks for. */
const PADDING = ['', ' ', '  ', '\t', '\u0000', '\u0007\n', '\u3000'];

const chars = (alphabet: string[], minLength: number, maxLength: number) =>
  fc.array(fc.constantFrom(...alphabet), { minLength, maxLength }).map((parts) => parts.join(''));

type NewUser = { name: string; local: string; domain: string };

const newUser: fc.Arbitrary<NewUser> = fc.record({
  name: chars(NAME_CHARS, 1, 12).filter((name) => name.trim() !== ''),
  local: chars(EMAIL_CHARS, 1, 6),
  domain: fc.constantFrom('example.com', 'EXAMPLE.org', 'x-y.io'),
});

type Search = { q: string; view: { sort: Sort; order: Order } };

/** A search: part of one of the new users' names or emails, in some case, or anything at all. */
function search(users: NewUser[]): fc.Arbitrary<Search> {
  const texts = users.flatMap((user) => [user.name, `${user.local}@${user.domain}`]);
  const part = fc
    .record({ which: fc.nat(texts.length - 1), start: fc.nat(12), length: fc.integer({ min: 1, max: 6 }) })
    // By code point: half an emoji's surrogate pair cannot travel in a URL.
    .map(({ which, start, length }) => [...(texts[which] ?? '')].slice(start, start + length).join(''));
  const text = fc.oneof(part, chars(NAME_CHARS, 1, 3));
  const cased = fc
    .tuple(text, fc.constantFrom('as is', 'upper', 'lower'))
    .map(([value, casing]) => (casing === 'upper' ? value.toUpperCase() : casing === 'lower' ? value.toLowerCase() : value));
  return fc.record({
    q: fc.tuple(fc.constantFrom(...PADDING), cased, fc.constantFrom(...PADDING)).map((parts) => parts.join('')),
    view: fc.record({ sort: fc.constantFrom<Sort>('name', 'email', 'createdAt'), order: fc.constantFrom<Order>('asc', 'desc') }),
  });
}

const scenario = fc
  .array(newUser, { minLength: 1, maxLength: 4 })
  .chain((users) => fc.tuple(fc.constant(users), fc.array(search(users), { minLength: 1, maxLength: 3 })));

/** Every page of a search, 200 rows at a time, and the total each page gave. */
async function searchAll(baseUrl: string, { q, view }: Search): Promise<{ users: UserDTO[]; totals: number[] }> {
  const users: UserDTO[] = [];
  const totals: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await listPage(baseUrl, { q, sort: view.sort, order: view.order, limit: 200, cursor });
    users.push(...page.users);
    totals.push(page.total);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { users, totals };
}

function matchRule(baseUrl: () => string) {
  /** Every user in the database, as the API gives them: the file's tests are the only writers meanwhile. */
  let everyone: UserDTO[] = [];
  let serial = 0;
  beforeAll(async () => {
    everyone = await listUsers(baseUrl());
  });

  it(`finds and orders the rows the browser's rule does (${RUNS} generated cases)`, { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ([users, searches]) => {
        const run = uniqueTag();
        for (const user of users) {
          everyone.push(await createUser(baseUrl(), user.name, `${user.local}.${run}${serial++}@${user.domain}`));
        }
        for (const { q, view } of searches) {
          const term = searchTerm(q);
          const expected = everyone.filter((user) => matchesSearch(user, term)).sort((a, b) => compareInView(a, b, view));
          const answered = await searchAll(baseUrl(), { q, view });
          const label = JSON.stringify({ q, ...view });
          expect(idsOf(answered.users), label).toEqual(idsOf(expected));
          expect(answered.totals.every((total) => total === expected.length), label).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('matches a few chosen cases as the browser does', async () => {
    const tag = uniqueTag();
    const made = [
      await createUser(baseUrl(), `İstanbul ${tag}`, `ist.${tag}@example.com`),
      await createUser(baseUrl(), `STRAẞE ${tag}`, `street.${tag}@example.com`),
      await createUser(baseUrl(), `Café_50% ${tag}`, `cafe.${tag}@example.com`),
      await createUser(baseUrl(), `Emoji 😀👩‍💻 ${tag}`, `emoji.${tag}@example.com`),
    ];
    everyone.push(...made);
    const queries = ['i̇stanbul', 'İSTANBUL', 'istanbul', 'straße', 'STRASSE', 'É_5', 'é_50%', 'CAFÉ', '😀👩', `${tag}`, '\\', '%'];
    for (const q of queries) {
      const expected = everyone.filter((user) => matchesSearch(user, searchTerm(q))).sort((a, b) => compareInView(a, b, { sort: 'name', order: 'asc' }));
      const answered = await searchAll(baseUrl(), { q, view: { sort: 'name', order: 'asc' } });
      expect(idsOf(answered.users), q).toEqual(idsOf(expected));
    }
    // The chosen ones hold what they were chosen for.
    const [istanbul, strasse, cafe, emoji] = made;
    const found = async (q: string) => idsOf((await listPage(baseUrl(), { q, limit: 200 })).users);
    expect(await found('i̇stanbul')).toContain(istanbul?.id);
    expect(await found('İSTANBUL')).toContain(istanbul?.id);
    expect(await found('istanbul')).not.toContain(istanbul?.id);
    expect(await found('STRAẞE')).toContain(strasse?.id);
    expect(await found('strasse')).not.toContain(strasse?.id);
    expect(await found('CAFÉ_50%')).toContain(cafe?.id);
    expect(await found('😀👩‍💻')).toContain(emoji?.id);
  });
}

describe('the search rule on SQLite (the shared server)', () => {
  matchRule(() => inject('baseUrl'));
});

describe.skipIf(!postgresUp)('the search rule on PostgreSQL', () => {
  let database: TestDatabase;
  let server: PostgresTestServer;

  beforeAll(async () => {
    database = await freshDatabase('search');
    server = await startServer({ databaseUrl: database.url });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  matchRule(() => server.url);
});
