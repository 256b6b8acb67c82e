import 'server-only';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { errorResponse, jsonOf, MAX_BODY_BYTES, type RequestHead } from '@/lib/server/http';
import { loggablePath, logger, REQUEST_ID_HEADER } from '@/lib/server/logger';
import { API_POLICY, SECURITY_HEADERS } from '@/lib/shared/security-headers';
import { claimOf } from './sinks';
import { streamWriter } from './writer';

// How the stream's bytes leave under `npm start` (server.ts): the route handler's own GET answers,
// and its Response goes to the socket without Next.js's pipeline, which costs ~70 KB and a
// promise per chunk per open response. What the stream says is app/events/route.ts's alone; this
// adapter only does what proxy.ts and next.config.ts do for every other route (request id, log
// line, security headers), and hands the socket to the stream writer process (writer.ts), which
// writes the frames as a bare node:http server would.
// Presence reports (POST /api/presence, 500 a second at 10,000 open pages) come the same way, with
// less still: no Web Request or Response at all (serveJsonFromNode).

type RouteHandler = (request: Request) => Promise<Response>;
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;
/** A small JSON route's work (lib/server/presence/report.ts): the request's head and its body as JSON, to the answer. */
type JsonHandler = (request: RequestHead, body: () => unknown) => Promise<unknown>;

/**
 * The route's view of the request's head: the client's headers, with the request id proxy.ts would
 * have set and the X-Forwarded-For that counts an anonymous client (lib/server/rate-limit/client-key.ts):
 * as server.ts left it (the peer's address, with no trusted proxy in front), or else, as Next.js
 * does, the peer's address when no proxy sent one.
 */
function requestHead(req: IncomingMessage, requestId: string): RequestHead {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  headers.set(REQUEST_ID_HEADER, requestId);
  const forwardedFor = req.headers['x-forwarded-for'] ?? req.socket.remoteAddress;
  if (forwardedFor) headers.set('x-forwarded-for', String(forwardedFor));
  return { headers, method: req.method ?? 'GET', url: new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`).href };
}

/**
 * A request's body, whole: the routes served here take small JSON bodies. Past MAX_BODY_BYTES
 * only a byte more is kept (the route answers 413), and the rest is read and dropped, so the
 * answer can still go out on the connection.
 */
function bodyOf(req: IncomingMessage): Promise<Buffer | null> {
  if (req.method === 'GET' || req.method === 'HEAD') return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size <= MAX_BODY_BYTES) chunks.push(chunk.subarray(0, MAX_BODY_BYTES + 1 - size));
      size += chunk.byteLength;
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/**
 * Writes a Response: a live stream's socket to the stream writer, any other body whole. `gone`
 * says whether the client left while the route was still deciding (its 'close' has fired then).
 */
async function send(response: Response, res: ServerResponse, headers: OutgoingHttpHeaders, gone: () => boolean): Promise<void> {
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  const body = response.body;
  const claim = body ? claimOf(body) : undefined;
  // A live stream's body is close-delimited (it is sent with `Connection: close`, RFC 9112 §6.3):
  // the writer writes each frame as it is, with no chunk framing. Everything else as Node frames it.
  if (claim) res.useChunkedEncodingByDefault = false;
  res.writeHead(response.status, headers);
  if (!body) {
    res.end();
    return;
  }
  if (claim) {
    // The stream writer process takes the socket over and writes its frames (writer.ts), and says when the client leaves.
    const sink = streamWriter().sink(res);
    const clientLeft = claim(sink);
    if (gone()) clientLeft();
    else sink.whenLeft(clientLeft);
    return;
  }
  // Every other answer here is a small JSON one (an error, a presence report's): written whole,
  // without a Node stream and its promises per answer, 500 times a second at 10,000 open pages.
  res.end(Buffer.from(await response.arrayBuffer()));
}

/** What every answer served here begins with: a request id, the log line, the edge's headers. */
function begin(req: IncomingMessage): { requestId: string; path: string; headers: OutgoingHttpHeaders } {
  const requestId = crypto.randomUUID();
  const path = loggablePath((req.url ?? '/').split('?')[0] ?? '/');
  logger.info({ requestId, method: req.method, path }, 'request');
  const headers: OutgoingHttpHeaders = { 'Content-Security-Policy': API_POLICY, 'X-Request-Id': requestId };
  for (const { key, value } of SECURITY_HEADERS) headers[key] = value;
  return { requestId, path, headers };
}

/** The body could not be read (the client broke off): nothing to hand a route. */
const badRequest = (res: ServerResponse, headers: OutgoingHttpHeaders) =>
  res.writeHead(400, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Bad request' }));

/** Serves a route handler on node:http with the edge's headers and log line. */
export function serveFromNode(handler: RouteHandler): NodeHandler {
  return async (req, res) => {
    const { requestId, path, headers } = begin(req);
    let request: Request;
    try {
      // A Request's body must be a plain ArrayBuffer's view: a copy (a presence report, below, needs none).
      const read = await bodyOf(req);
      const body = read && new Uint8Array(read);
      const { url, method, headers: sent } = requestHead(req, requestId);
      request = new Request(url, { method, headers: sent, body });
    } catch {
      badRequest(res, headers);
      return;
    }
    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      logger.error({ err: error, requestId, path }, 'unhandled error');
      response = Response.json({ error: 'Internal server error' }, { status: 500 });
    }
    // Gone: its socket closed (no listener per stream to learn it, since 10,000 stay open).
    await send(response, res, headers, () => req.socket.destroyed);
  };
}

/**
 * Serves a small JSON route on node:http as serveFromNode does, without building a Web Request or
 * Response: its head and body go to `handle`, whose answer is written as JSON (200, not cached),
 * its errors as the API's (errorResponse). At 10,000 open pages, presence reports come 500 a
 * second; without the Request, its body stream and the Response, one costs about a third less CPU
 * (`npm run bench -- --mode report-cost`, docs/benchmarks.md).
 */
export function serveJsonFromNode(handle: JsonHandler): NodeHandler {
  return async (req, res) => {
    const { requestId, headers } = begin(req);
    let bytes: Uint8Array;
    let head: RequestHead;
    try {
      bytes = (await bodyOf(req)) ?? new Uint8Array();
      head = requestHead(req, requestId);
    } catch {
      badRequest(res, headers);
      return;
    }
    try {
      const answer = await handle(head, () => jsonOf(bytes));
      res.writeHead(200, { ...headers, 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(JSON.stringify(answer));
    } catch (error) {
      await send(errorResponse(error, head), res, headers, () => req.socket.destroyed);
    }
  };
}
