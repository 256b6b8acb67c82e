// How the directory sorts and searches, in one place that the server (when it writes a user's
// keys) and the browser (when it places a live event in the visible page) both run, so both
// decide alike. Safe to import on the client.

// LIKE treats % and _ as wildcards (and PostgreSQL \ as its escape), and Prisma's `contains` does
// not escape them; names and emails never hold control characters, so those stand in for them.
const LIKE_SPECIALS: Record<string, string> = { '%': '\u0001', _: '\u0002', '\\': '\u0003' };
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

function foldForSearch(text: string): string {
  return text.toLowerCase().replace(/[%_\\]/g, (char) => LIKE_SPECIALS[char] ?? char);
}

/** The name as sorted: case-insensitive, compared by code point (see compareKeys). */
export function nameKey(name: string): string {
  return name.toLowerCase();
}

/** What a search looks in: name and email, folded, with a line break no search term can span. */
export function searchKey(name: string, email: string): string {
  return `${foldForSearch(name)}\n${foldForSearch(email)}`;
}

/** A name's and an email's words, folded: the runs of letters, digits and marks. */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;

/** Where a word starts in wordsKey: two characters no word holds, so a trigram can end at a word's first letter. */
const WORD_START = '  ';

/** Terms shorter than this (in code points) match a word's start, not anywhere: see searchPattern. */
export const SHORT_TERM = 3;

/**
 * What a short search looks in: the first two code points of every word of the name and of the
 * email, each after WORD_START ("Ada Lovelace", "ada@example.com" → "  ad  lo  ad  ex  co").
 */
export function wordsKey(name: string, email: string): string {
  const words = [...name.toLowerCase().matchAll(WORD), ...email.toLowerCase().matchAll(WORD)];
  return words.map(([word]) => WORD_START + [...word].slice(0, 2).join('')).join('');
}

/** A search as it is applied (and shown): without control characters, trimmed. */
export function searchText(q: string): string {
  return q.replace(CONTROL_CHARS, '').trim();
}

/** A search as typed, in the form it is looked for in searchKey; '' means no filter. */
export function searchTerm(q: string): string {
  return foldForSearch(searchText(q));
}

/** Which stored key a search looks in, and for what text in it. */
export type SearchPattern = { key: 'searchKey' | 'wordsKey'; text: string };

/**
 * How a term is looked for. Three characters or more: anywhere in the name or the email, which a
 * trigram index answers. One or two: at the start of one of their words ("a" finds Ada and
 * alan@…, not Grace), which is a trigram of wordsKey ("  a") — a one-letter substring would be
 * in nearly every user, and no index can find those in less than a scan. null: no search.
 */
export function searchPattern(term: string): SearchPattern | null {
  if (term === '') return null;
  return [...term].length < SHORT_TERM ? { key: 'wordsKey', text: WORD_START + term } : { key: 'searchKey', text: term };
}

/**
 * The match rule, which the database applies with the same pattern (lib/server/users/search.ts):
 * the user's name or email contains the search, ignoring case — at the start of a word if the
 * search is one or two characters long.
 */
export function matchesSearch(user: { name: string; email: string }, term: string): boolean {
  const pattern = searchPattern(term);
  if (!pattern) return true;
  const key = pattern.key === 'searchKey' ? searchKey(user.name, user.email) : wordsKey(user.name, user.email);
  return key.includes(pattern.text);
}

/**
 * Orders strings by code point, as SQLite's default collation and PostgreSQL's "C" collation do
 * with UTF-8 (JavaScript's < compares UTF-16 units, which differs above U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const left = [...a];
  const right = [...b];
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    const x = left[i]?.codePointAt(0) ?? 0;
    const y = right[i]?.codePointAt(0) ?? 0;
    if (x !== y) return x - y;
  }
  return left.length - right.length;
}
