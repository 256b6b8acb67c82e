import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, matchesSearch, nameKey, searchKey, searchTerm, wordsKey } from '@/lib/shared/directory/keys';
import { compareInView, viewSearch } from '@/lib/shared/directory/view';
import { aUser } from '../support/users';

const ann = { name: 'Ann Smith', email: 'a.smith@example.com' };

describe('the match rule', () => {
  it('matches name or email, ignoring case and surrounding space', () => {
    for (const q of ['ann', 'ANN', '  smith ', 'a.smith@', 'EXAMPLE.com', '']) expect(matchesSearch(ann, searchTerm(q)), q).toBe(true);
    for (const q of ['anna', 'smithe', 'ann smith@']) expect(matchesSearch(ann, searchTerm(q)), q).toBe(false);
  });

  it('takes LIKE wildcards and the escape character literally', () => {
    const odd = { name: '100% _real_ \\o/', email: 'x@example.com' };
    expect(matchesSearch(odd, searchTerm('0% _r'))).toBe(true);
    expect(matchesSearch(odd, searchTerm('\\o/'))).toBe(true);
    expect(matchesSearch(ann, searchTerm('a%h'))).toBe(false);
    expect(matchesSearch(ann, searchTerm('_nn'))).toBe(false);
  });

  it('matches a search of one or two characters at the start of a word of the name or the email', () => {
    for (const q of ['a', 'A', 'sm', 'Ex', 'co', ' s ']) expect(matchesSearch(ann, searchTerm(q)), q).toBe(true);
    for (const q of ['n', 'nn', 'mi', 'h', '.s', '@']) expect(matchesSearch(ann, searchTerm(q)), q).toBe(false);
    expect(wordsKey('Ann Smith', 'a.smith@example.com')).toBe('  an  sm  a  sm  ex  co');
    expect(matchesSearch({ name: 'Zoë Núñez-García', email: 'z@example.com' }, searchTerm('GA'))).toBe(true);
    expect(matchesSearch({ name: 'Zoë Núñez-García', email: 'z@example.com' }, searchTerm('ñe'))).toBe(false);
  });

  it('never matches across the name and the email', () => {
    expect(matchesSearch(ann, searchTerm('smitha.smith'))).toBe(false);
    expect(searchKey('a\nb', 'c')).toContain('\n');
    expect(searchTerm('smith\na.smith')).not.toContain('\n');
  });

  it('agrees with the rule as the issues state it: name or email contains the search (a short one starts a word), ignoring case', () => {
    // An oracle written apart from keys.ts: lower-case both sides, look in the name, then in the
    // email; a search of one or two code points, at the start of a run of letters, digits and marks.
    const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
    const text = fc.string({ maxLength: 30, unit: 'binary' }).map((value) => value.replace(CONTROL, ''));
    const contains = (field: string, q: string) => {
      const [haystack, needle] = [field.toLowerCase(), q.toLowerCase()];
      if ([...needle].length >= 3) return haystack.includes(needle);
      return (haystack.match(/[\p{L}\p{N}\p{M}]+/gu) ?? []).some((word) => word.startsWith(needle));
    };
    // Searches drawn from the user's own name or email (hits, in any case), across the two, and from anywhere.
    const userAndSearch = fc.tuple(text, text).chain(([name, email]) =>
      fc.tuple(
        fc.constant(name),
        fc.constant(email),
        fc.oneof(
          fc.string({ maxLength: 8, unit: 'binary' }),
          fc.tuple(fc.constantFrom(name, email), fc.nat(), fc.nat({ max: 8 }), fc.boolean()).map(([field, at, length, upper]) => {
            const part = field.slice(at % (field.length + 1), (at % (field.length + 1)) + length);
            return ` ${upper ? part.toUpperCase() : part} `;
          }),
          // Across the end of the name and the start of the email: a match only if one field holds it.
          fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 4 })).map(([tail, head]) => `${name.slice(name.length - tail)}${email.slice(0, head)}`),
        ),
      ),
    );
    fc.assert(
      fc.property(userAndSearch, ([name, email, q]) => {
        const search = q.replace(CONTROL, '').trim();
        const expected = search === '' || contains(name, search) || contains(email, search);
        expect(matchesSearch({ name, email }, searchTerm(q))).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('the sort order', () => {
  it('compares by code point, as SQLite and PostgreSQL\'s "C" collation do', () => {
    // U+FF5E sorts after U+1F600 in UTF-16 units, before it in code points.
    expect(compareKeys('\uFF5E', '😀')).toBeLessThan(0);
    expect('\uFF5E' < '😀').toBe(false);
    expect(compareKeys('ab', 'abc')).toBeLessThan(0);
    expect(compareKeys('b', 'abc')).toBeGreaterThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });

  it('sorts names without regard to case, ties by id in the same direction', () => {
    const bob = aUser(2, { name: 'bob' });
    const bobToo = aUser(3, { name: 'Bob' });
    const alice = aUser(9, { name: 'Alice' });
    const asc = [bobToo, alice, bob].sort((a, b) => compareInView(a, b, { sort: 'name', order: 'asc' }));
    expect(asc.map((u) => u.id)).toEqual([9, 2, 3]);
    const desc = [bob, alice, bobToo].sort((a, b) => compareInView(a, b, { sort: 'name', order: 'desc' }));
    expect(desc.map((u) => u.id)).toEqual([3, 2, 9]);
    expect(nameKey('ÉMILE')).toBe('émile');
  });

  it('sorts by creation time, newest first by default', () => {
    const older = aUser(5, { createdAt: '2026-01-01T00:00:00.000Z' });
    const newer = aUser(4, { createdAt: '2026-02-01T00:00:00.000Z' });
    expect([older, newer].sort((a, b) => compareInView(a, b, { sort: 'createdAt', order: 'desc' }))[0]).toBe(newer);
  });
});

describe('viewSearch', () => {
  it('leaves defaults out of the URL', () => {
    expect(viewSearch({ q: '', role: '', sort: 'createdAt', order: 'desc' })).toBe('');
    expect(viewSearch({ q: 'ann b', role: 'admin', sort: 'name', order: 'asc' }, 'abc')).toBe('?q=ann+b&role=admin&sort=name&order=asc&cursor=abc');
  });
});
