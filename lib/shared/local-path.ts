// Where a redirect may send the browser back to: the one rule every redirect uses (the edit page's
// Cancel link and hidden `return` field, the edit action). Safe to import on the client.

const HERE = 'http://roster.invalid';

/** Whether `value`, read by a browser as a link on this site, stays on this site. */
function staysHere(value: string): boolean {
  try {
    return new URL(value, HERE).origin === HERE;
  } catch {
    return false;
  }
}

/**
 * A path on this site to send the browser back to, as the browser will read it; null for anything
 * that could leave the site. Both the value as given and its normalised form must stay here: URL
 * parsing drops tabs and line breaks, reads `\` as `/` and resolves `.` and `..` (also as `%2e`), so
 * `/.//evil.example` normalises to `//evil.example` — a link to another site.
 */
export function localPath(value: string | undefined): string | null {
  if (!value?.startsWith('/') || !staysHere(value)) return null;
  const url = new URL(value, HERE);
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') || !staysHere(path) ? null : path;
}
