import 'server-only';
// The methods each path answers, for the `Allow` header of a 405 (RFC 9110 §15.5.6): Next.js answers
// a method a route handler does not export with a bare 405, and crashes on one it does not know
// (TRACE). A test holds this table to the routes' own exports (tests/integration/hardening.test.ts).

const ROUTES: [path: RegExp, methods: string[]][] = [
  [/^\/events$/, ['GET']],
  [/^\/api\/users$/, ['GET', 'POST']],
  [/^\/api\/users\/export$/, ['GET']],
  [/^\/api\/users\/import$/, ['POST']],
  [/^\/api\/users\/[^/]+$/, ['GET', 'PATCH', 'DELETE']],
  [/^\/api\/users\/[^/]+\/activity$/, ['GET']],
  [/^\/api\/users\/[^/]+\/invite$/, ['POST']],
  [/^\/api\/users\/[^/]+\/restore$/, ['POST']],
  [/^\/api\/users\/[^/]+\/sessions$/, ['DELETE']],
  [/^\/api\/jobs\/delete$/, ['POST']],
  [/^\/api\/jobs\/restore$/, ['POST']],
  [/^\/api\/jobs\/role$/, ['POST']],
  [/^\/api\/jobs\/[^/]+$/, ['GET']],
  [/^\/api\/jobs\/[^/]+\/cancel$/, ['POST']],
  [/^\/api\/jobs\/[^/]+\/report$/, ['GET']],
  [/^\/api\/activity$/, ['GET']],
  [/^\/api\/health$/, ['GET']],
  [/^\/api\/metrics$/, ['GET']],
  [/^\/api\/presence$/, ['POST']],
  [/^\/api\/status$/, ['GET']],
];

/** Pages answer reads, and POSTs (server actions). */
const PAGE = ['GET', 'POST'];

/**
 * What `Allow` says for a path, as Next.js's own OPTIONS does (HEAD with GET, and OPTIONS, sorted);
 * null for an API path there is no route for (a 404).
 */
export function allowedMethods(path: string): string[] | null {
  const methods = ROUTES.find(([pattern]) => pattern.test(path))?.[1] ?? (path.startsWith('/api/') ? null : PAGE);
  return methods && [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
}
