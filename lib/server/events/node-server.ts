import 'server-only';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { pipeline } from 'node:stream/promises';
import { loggablePath, logger, REQUEST_ID_HEADER } from '@/lib/server/logger';
import { API_POLICY, SECURITY_HEADERS } from '@/lib/shared/security-headers';
import { claimOf, type Sink } from './sinks';

// How the stream's bytes leave under `npm start` (server.ts): the route handler's own GET answers,
// and its Response goes to the socket without Next.js's pipeline, which costs ~70 KB and a
// promise per chunk per open response. What the stream says is app/events/route.ts's alone; this
// adapter only does what proxy.ts and next.config.ts do for every other route (request id, log
// line, security headers), and writes the frames with res.write, as a bare node:http server does.

type RouteHandler = (request: Request) => Promise<Response>;
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * The route's Web Request: the client's headers, with the request id proxy.ts would have set and
 * the X-Forwarded-For that counts an anonymous client (lib/server/rate-limit/client-key.ts): as server.ts
 * left it (the peer's address, with no trusted proxy in front), or else, as Next.js does, the
 * peer's address when no proxy sent one.
 */
function webRequest(req: IncomingMessage, requestId: string): Request {
  const headers = new Headers();
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
  headers.set(REQUEST_ID_HEADER, requestId);
  const forwardedFor = req.headers['x-forwarded-for'] ?? req.socket.remoteAddress;
  if (forwardedFor) headers.set('x-forwarded-for', String(forwardedFor));
  return new Request(new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`), { method: req.method, headers });
}

function responseSink(res: ServerResponse): Sink {
  return {
    write: (frame) => void res.write(frame),
    // What the response and its socket hold that the kernel has not taken: the client is not reading.
    queued: () => res.writableLength,
    end: () => void res.end(),
    abort: () => void res.destroy(),
  };
}

/**
 * Writes a Response: a live stream's frames straight to the socket, any other body piped. `gone`
 * says whether the client left while the route was still deciding (its 'close' has fired then).
 */
async function send(response: Response, res: ServerResponse, headers: OutgoingHttpHeaders, gone: () => boolean): Promise<void> {
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  res.writeHead(response.status, headers);
  const body = response.body;
  if (!body) {
    res.end();
    return;
  }
  const claim = claimOf(body);
  if (claim) {
    const clientLeft = claim(responseSink(res));
    if (gone()) clientLeft();
    else res.once('close', clientLeft);
    return;
  }
  await pipeline(Readable.fromWeb(body as NodeReadableStream<Uint8Array>), res).catch(() => res.destroy());
}

/** Serves a route handler on node:http with the edge's headers and log line. */
export function serveFromNode(handler: RouteHandler): NodeHandler {
  return async (req, res) => {
    let left = false;
    res.once('close', () => (left = true));
    const requestId = crypto.randomUUID();
    const path = loggablePath((req.url ?? '/').split('?')[0] ?? '/');
    logger.info({ requestId, method: req.method, path }, 'request');
    const headers: OutgoingHttpHeaders = { 'Content-Security-Policy': API_POLICY, 'X-Request-Id': requestId };
    for (const { key, value } of SECURITY_HEADERS) headers[key] = value;
    let request: Request;
    try {
      request = webRequest(req, requestId);
    } catch {
      res.writeHead(400, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'Bad request' }));
      return;
    }
    let response: Response;
    try {
      response = await handler(request);
    } catch (error) {
      logger.error({ err: error, requestId, path }, 'unhandled error');
      response = Response.json({ error: 'Internal server error' }, { status: 500 });
    }
    await send(response, res, headers, () => left);
  };
}
