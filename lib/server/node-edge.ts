import 'server-only';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { allowedMethods } from './allowed-methods';
import { logger } from './logger';
import { API_POLICY, SECURITY_HEADERS } from '@/lib/shared/security-headers';

// What `npm start`'s server (server.ts) answers before Next.js sees a request: what Next.js
// would answer with a 500 (a method its Request refuses, such as TRACE), and what Node's parser
// refuses (an unknown method, a malformed request line). Each answer carries the headers every
// answer does, and a log line; the other refusals are proxy.ts's, on every Next.js host.

/** Where instrumentation.ts leaves the pieces server.ts needs (a global-registry symbol: server.ts imports no app code). */
export const NODE_EDGE = Symbol.for('roster.nodeEdge');

export type NodeEdge = {
  /**
   * Routes served by their own handlers without Next.js's pipeline, by `METHOD /path`: GET /events
   * straight to the socket, POST /api/presence (lib/server/events/node-server.ts).
   */
  direct: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>>;
  screenRequest: typeof screenRequest;
  refuseUnparsed: typeof refuseUnparsed;
  refuseTunnel: typeof refuseTunnel;
  failedOutside: typeof failedOutside;
  /** Counts a request in flight until it is answered, and times it (lib/server/requests-in-flight.ts). */
  countRequest: (req: IncomingMessage, res: ServerResponse) => void;
};

/** The methods Next.js's request handler can take (the Fetch standard forbids TRACE, TRACK and CONNECT). */
const HANDLED = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

const headersOf = (requestId: string, body: string) => ({
  ...Object.fromEntries(SECURITY_HEADERS.map(({ key, value }) => [key, value])),
  'Content-Security-Policy': API_POLICY,
  'Content-Type': 'application/json',
  'Content-Length': String(Buffer.byteLength(body)),
  'X-Request-Id': requestId,
});

/** Paths proxy.ts does not see (its matcher leaves out the import's upload), whose 405s are answered here. */
const OUTSIDE_PROXY = new Set(['/api/users/import']);

/**
 * Answers a request Next.js cannot take (or would answer with a bare 405, outside the proxy), and
 * says so (true); false for every other request.
 */
export function screenRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const outside = OUTSIDE_PROXY.has(path) && !allowedMethods(path)?.includes(req.method ?? '');
  if (HANDLED.has(req.method ?? '') && !outside) return false;
  const requestId = crypto.randomUUID();
  logger.warn({ requestId, method: req.method, path }, 'method not allowed');
  const body = JSON.stringify({ error: `${req.method} is not allowed here` });
  const allow = (allowedMethods(path) ?? ['GET', 'HEAD', 'OPTIONS']).join(', ');
  res.writeHead(405, { ...headersOf(requestId, body), Allow: allow }).end(body);
  return true;
}

/** Writes a whole JSON answer to a socket Node's server will not answer on, and closes it. */
function answerOnSocket(socket: Duplex, status: number, reason: string, fields: Record<string, unknown>, extra: Record<string, string> = {}): void {
  const requestId = crypto.randomUUID();
  logger.warn({ requestId, status, ...fields }, status === 405 ? 'method not allowed' : 'unparsable request refused');
  const body = JSON.stringify({ error: reason });
  const head = Object.entries({ ...headersOf(requestId, body), ...extra, Connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${reason}\r\n${head}\r\n${body}`);
}

/** A request Node's HTTP parser refused: 400 (431 for headers too large), then the connection closes. */
export function refuseUnparsed(error: Error & { code?: string }, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') answerOnSocket(socket, 431, 'Request Header Fields Too Large', { code: error.code });
  else answerOnSocket(socket, 400, 'Bad Request', { code: error.code });
}

/** CONNECT, which Node hands over as a tunnel rather than a request: Roster is no proxy. */
export function refuseTunnel(req: IncomingMessage, socket: Duplex): void {
  answerOnSocket(socket, 405, 'Method Not Allowed', { method: req.method, path: req.url }, { Allow: 'GET, HEAD, OPTIONS, POST' });
}

/** A request that failed outside its handler (both answer their own errors): logged, and its connection dropped. */
export function failedOutside(error: unknown, req: IncomingMessage, res: ServerResponse): void {
  logger.error({ err: error, method: req.method, path: (req.url ?? '/').split('?')[0] }, 'request failed outside its handler');
  res.destroy();
}
