import 'server-only';
// Whether a browser sent a request from another site. The one check behind every cookie-authenticated
// write: proxy.ts for server actions (before Next.js's own), lib/server/http.ts for the REST API.

/** The host the request was addressed to, as the browser saw it (a proxy's X-Forwarded-Host first). */
function hostOf(headers: Headers): string | null {
  return headers.get('x-forwarded-host') ?? headers.get('host');
}

/**
 * This site's origin as the browser reached it (`https://roster.example.org`), for links the server
 * hands out (invites): the proxy's X-Forwarded-Proto and -Host first, as with the host above.
 */
export function siteOrigin(headers: Headers): string {
  const proto = headers.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https' ? 'https' : 'http';
  return `${proto}://${hostOf(headers) ?? 'localhost'}`;
}

/**
 * True when `Origin` names another host than this one (or is opaque: `null`), or, when a browser
 * sent no Origin, when `Sec-Fetch-Site` says the request came from another origin. A request with
 * neither comes from no browser (curl, a script), which carries only credentials it was given.
 */
export function crossSite(headers: Headers): boolean {
  const origin = headers.get('origin');
  if (origin !== null) {
    try {
      return new URL(origin).host !== hostOf(headers);
    } catch {
      return true; // `null` (sandboxed frames, some redirects) or garbage
    }
  }
  const site = headers.get('sec-fetch-site');
  return site !== null && site !== 'same-origin' && site !== 'none';
}
