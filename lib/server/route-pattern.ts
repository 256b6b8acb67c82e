import 'server-only';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The route a request's path belongs to, as a metric's label (/api/users/[id], not /api/users/42):
// from the list of the app's routes that `next build` writes, so a new route is labelled without
// an edit here, and a path that is no route (a scanner's guesses) adds no series of its own.

const MANIFEST = path.join(process.cwd(), '.next', 'app-path-routes-manifest.json');

const isParam = (segment: string) => /^\[.+\]$/.test(segment);
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each route as a pattern; a route of fixed segments first (/api/users/export before /api/users/[id]). */
function load(): [RegExp, string][] {
  let routes: string[];
  try {
    routes = Object.values(JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>);
  } catch {
    return []; // no build here (`next dev`): every path is 'other'
  }
  const params = (route: string) => route.split('/').filter(isParam).length;
  return routes
    .filter((route) => !route.startsWith('/_'))
    .sort((a, b) => params(a) - params(b))
    .map((route) => [new RegExp(`^${route.split('/').map((segment) => (isParam(segment) ? '[^/]+' : escape(segment))).join('/')}$`), route]);
}

let patterns: [RegExp, string][] | null = null;

/** The route of `url` (a request target), '/_next' for the framework's own files, or 'other'. */
export function routeOf(url: string): string {
  const pathname = url.split('?')[0] ?? '/';
  if (pathname.startsWith('/_next/')) return '/_next';
  patterns ??= load();
  return patterns.find(([pattern]) => pattern.test(pathname))?.[1] ?? 'other';
}
