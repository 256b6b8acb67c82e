import { type NextRequest, NextResponse } from 'next/server';
import { refuseAction } from '@/lib/server/action-request';
import { allowedMethods } from '@/lib/server/allowed-methods';
import { crossSite } from '@/lib/server/cross-site';
import { loggablePath, logger, REQUEST_ID_HEADER } from '@/lib/server/logger';
import { API_POLICY } from '@/lib/shared/security-headers';

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

/** An answer the proxy gives itself, with what every answer carries (next.config.ts adds the rest). */
function refuse(requestId: string, status: number, error: string, headers: Record<string, string> = {}): Response {
  return Response.json({ error }, { status, headers: { ...headers, 'X-Request-Id': requestId, 'Content-Security-Policy': API_POLICY } });
}

/** Whether the path decodes: Next.js answers 500 to a malformed percent-encoding in a route parameter. */
function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export async function proxy(request: NextRequest) {
  const requestId = crypto.randomUUID();
  const path = request.nextUrl.pathname;
  const isPage = !path.startsWith('/api/') && path !== '/events';
  if (!decodable(path)) {
    logger.warn({ requestId, method: request.method, path }, 'malformed path refused');
    return refuse(requestId, 400, 'Malformed percent-encoding in the path');
  }
  const allowed = allowedMethods(path);
  if (allowed && !allowed.includes(request.method)) {
    logger.warn({ requestId, method: request.method, path: loggablePath(path) }, 'method not allowed');
    return refuse(requestId, 405, `${request.method} is not allowed here`, { Allow: allowed.join(', ') });
  }
  // A POST to a page is a server action. Next.js refuses one whose Origin is another host, but
  // with a 500 and only for fetches; refuse every cross-site one up front, and any it could not decode.
  if (isPage && request.method === 'POST') {
    if (crossSite(request.headers)) {
      logger.warn({ requestId, path: loggablePath(path), origin: request.headers.get('origin'), fetchSite: request.headers.get('sec-fetch-site') }, 'cross-site form post refused');
      return refuse(requestId, 403, 'Cross-site request refused');
    }
    const refusal = await refuseAction(request);
    if (refusal) {
      logger.warn({ requestId, path: loggablePath(path), status: refusal.status }, 'malformed form post refused');
      return refuse(requestId, refusal.status, refusal.error);
    }
  }
  const nonce = isPage ? Buffer.from(crypto.randomUUID()).toString('base64') : '';
  const policy = isPage ? pagePolicy(nonce) : API_POLICY;

  const requestHeaders = new Headers(request.headers);
  requestHeaders.set(REQUEST_ID_HEADER, requestId);
  if (isPage) requestHeaders.set('Content-Security-Policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('Content-Security-Policy', policy);
  response.headers.set('X-Request-Id', requestId);
  logger.info({ requestId, method: request.method, path: loggablePath(path) }, 'request');
  return response;
}

export const config = {
  // Not the import's upload: Next.js buffers what passes through a proxy in memory, and cuts it at
  // 10 MB; POST /api/users/import streams its CSV to disk and gives itself these headers.
  matcher: ['/((?!_next/static|_next/image|favicon.ico|icon.svg|api/users/import$).*)'],
};
