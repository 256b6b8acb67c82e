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

/** A search as it is applied (and shown): without control characters, trimmed. */
export function searchText(q: string): string {
  return q.replace(CONTROL_CHARS, '').trim();
}

/** A search as typed, in the form it is looked for in searchKey; '' means no filter. */
export function searchTerm(q: string): string {
  return foldForSearch(searchText(q));
}

/** The match rule: the user's name or email contains the search, ignoring case. */
export function matchesSearch(user: { name: string; email: string }, term: string): boolean {
  return term === '' || searchKey(user.name, user.email).includes(term);
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
