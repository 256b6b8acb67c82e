import { type NextRequest, NextResponse } from 'next/server';
import { log, REQUEST_ID_HEADER } from '@/lib/log';
import { API_POLICY } from '@/lib/security-headers';

// Runs before every route: gives the request an id (logged, and echoed in X-Request-Id), and
// sets the Content-Security-Policy. Pages get a fresh nonce per request, which Next.js puts on
// its own scripts, so an injected inline script cannot run; the API and the stream serve no
// active content at all.

function pagePolicy(nonce: string): string {
  const dev = process.env.NODE_ENV === 'development';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // The development overlay injects unnonced styles; production pages have none.
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * A POST to a page is a server action. Next.js refuses one whose Origin is not this host, but
 * with a 500; answer 403 up front instead (Next.js's own check stays behind this one).
 */
function crossSiteAction(request: NextRequest, isPage: boolean): boolean {
  const origin = request.headers.get('origin');
  if (!isPage || request.method !== 'POST' || !origin) return false;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  try {
    return new URL(origin).host !== host;
  } catch {
    return true;
  }
}

export function proxy(request: NextRequest) {
  const requestId = crypto.randomUUID();
  const path = request.nextUrl.pathname;
  const isPage = !path.startsWith('/api/') && path !== '/events';
  if (crossSiteAction(request, isPage)) {
    log.warn({ requestId, path, origin: request.headers.get('origin') }, 'cross-site form post refused');
    return Response.json({ error: 'Cross-site request refused' }, { status: 403, headers: { 'X-Request-Id': requestId } });
  }
  const nonce = isPage ? Buffer.from(crypto.randomUUID()).toString('base64') : '';
  const policy = isPage ? pagePolicy(nonce) : API_POLICY;

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  if (isPage) requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  response.headers.set('X-Request-Id', requestId);
  log.info({ requestId, method: request.method, path }, 'request');
  return response;
}

export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg).*)'],
};
