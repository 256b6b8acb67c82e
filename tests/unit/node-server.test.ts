// The stream's second way out (`npm start`): a body made by Connections, claimed by a node:http
// response, on a real server and a raw socket, next to the Web stream path the other tests read.
import { createServer, type Server } from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Connections } from '@/lib/server/events/connections';
import { claimOf, type Sink } from '@/lib/server/events/sinks';
import { serveFromNode, serveJsonFromNode } from '@/lib/server/events/node-server';
import { UnauthorizedError } from '@/lib/server/errors';
import type { RequestHead } from '@/lib/server/http';
import { encodeEvent, RETRY, SHUTDOWN, sseFrame } from '@/lib/server/events/sse';
import { memoryHub } from '../support/memory-log';
import { registerStreamWriter } from '../support/stream-writer';
import { aUser, deletedEvent } from '../support/users';

const LIMITS = { maxConnections: 10, maxQueueBytes: 64 * 1024 };
const text = (frames: Uint8Array[]) => frames.map((frame) => Buffer.from(frame).toString()).join('');

/** A sink that keeps what it is given, and says it has `queued` bytes the client has not taken. */
function recordingSink() {
  const sink = { frames: [] as Uint8Array[], queuedBytes: 0, ended: false, aborted: false };
  const asSink: Sink = {
    write: (frame) => void sink.frames.push(frame),
    queued: () => sink.queuedBytes,
    end: () => void (sink.ended = true),
    abort: () => void (sink.aborted = true),
  };
  return { sink, asSink };
}

describe('a stream claimed by a sink', () => {
  it('gets what was said before the claim, then every live event, straight from the hub', async () => {
    const { hub, publish } = await memoryHub();
    const connections = new Connections(LIMITS);
    const body = connections.open(hub, undefined)!;
    const { sink, asSink } = recordingSink();

    const leave = claimOf(body)!(asSink);
    const event = await publish(deletedEvent(1));

    expect(text(sink.frames)).toBe(text([RETRY, sseFrame('connected', { lastEventId: 0 }), encodeEvent(event)]));
    leave();
    expect(connections.size).toBe(0);
    await publish(deletedEvent(2));
    expect(sink.frames).toHaveLength(3);
    expect(sink.ended).toBe(false); // the client went away: nothing left to end
  });

  it('is dropped as too slow once its sink holds more than maxQueueBytes, and aborted', async () => {
    const { hub, publish } = await memoryHub();
    const connections = new Connections({ ...LIMITS, maxQueueBytes: 1_000 });
    const { sink, asSink } = recordingSink();
    claimOf(connections.open(hub, undefined)!)!(asSink);

    await publish({ type: 'user_created', user: aUser(1) });
    expect(connections.slowConsumersDropped).toBe(0);
    sink.queuedBytes = 1_001;
    await publish({ type: 'user_created', user: aUser(2) });

    expect(connections.slowConsumersDropped).toBe(1);
    expect(connections.size).toBe(0);
    expect(sink.aborted).toBe(true);
  });

  it('is ended with a shutdown event on shutdown, even when that came before the claim', async () => {
    const { hub } = await memoryHub();
    const connections = new Connections(LIMITS);
    const body = connections.open(hub, undefined)!;
    connections.shutdown();
    const { sink, asSink } = recordingSink();

    claimOf(body)!(asSink);

    expect(text(sink.frames).endsWith(text([SHUTDOWN]))).toBe(true);
    expect(sink.ended).toBe(true);
  });

  it('belongs to one sink: a second claim throws, and a body Connections did not make has no claim', async () => {
    const { hub } = await memoryHub();
    const body = new Connections(LIMITS).open(hub, undefined)!;
    claimOf(body)!(recordingSink().asSink);
    expect(() => claimOf(body)!(recordingSink().asSink)).toThrow('claimed twice');
    expect(claimOf(new Response('plain').body!)).toBeUndefined();
  });
});

describe('serveFromNode', () => {
  // As `npm start` serves streams: their sockets handed to the writer process.
  registerStreamWriter();
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function serve(handler: (request: Request) => Promise<Response>): Promise<number> {
    server = createServer((req, res) => void serveFromNode(handler)(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return address.port;
  }

  /** A raw HTTP/1.1 GET that collects what arrives until `until` matches. */
  function get(port: number, path: string, until: RegExp): Promise<{ socket: net.Socket; received: string }> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      let received = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: roster.test\r\nX-Request-Id: spoofed\r\n\r\n`));
      socket.on('data', (chunk: string) => {
        received += chunk;
        if (until.test(received)) resolve({ socket, received });
      });
      socket.on('error', reject);
    });
  }

  it('hands the route the client\'s request (URL, headers, a fresh request id) and sends its stream to the socket as it is said', async () => {
    const { hub, publish } = await memoryHub();
    const connections = new Connections(LIMITS);
    const seen: Request[] = [];
    const bodies: ReadableStream<Uint8Array>[] = [];
    const port = await serve(async (request) => {
      seen.push(request);
      bodies.push(connections.open(hub, undefined)!);
      return new Response(bodies[0], { headers: { 'Content-Type': 'text/event-stream' } });
    });

    const { socket } = await get(port, '/events?lastEventId=7', /event: connected/);
    const arrived = new Promise<{ received: string }>((resolve) => {
      let more = '';
      socket.on('data', (chunk: string) => {
        more += chunk;
        if (more.includes('user_deleted')) resolve({ received: more });
      });
    });
    const event = await publish(deletedEvent(3));
    const { received } = await arrived;

    expect(seen[0]?.url).toBe('http://roster.test/events?lastEventId=7');
    // No proxy in front: the peer's address stands in, as Next.js does, so anonymous clients are told apart.
    expect(seen[0]?.headers.get('x-forwarded-for')).toBe('127.0.0.1');
    const requestId = seen[0]?.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toContain(Buffer.from(encodeEvent(event)).toString());
    expect(connections.size).toBe(1);
    // Straight to the socket: the Web stream was never read (piping it would have locked it).
    expect(bodies[0]?.locked).toBe(false);

    socket.destroy();
    await expect.poll(() => connections.size).toBe(0);
  });

  it('lets go of a stream whose client left while the route was still deciding', async () => {
    const { hub } = await memoryHub();
    const connections = new Connections(LIMITS);
    let decide: () => void = () => {};
    const decided = new Promise<void>((resolve) => (decide = resolve));
    const port = await serve(async () => {
      await decided; // e.g. the session lookup
      return new Response(connections.open(hub, undefined), { headers: { 'Content-Type': 'text/event-stream' } });
    });
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.write('GET /events HTTP/1.1\r\nHost: roster.test\r\n\r\n');
    await new Promise((resolve) => socket.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));

    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    decide();

    await expect.poll(() => connections.size).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections.size).toBe(0);
  });

  it('sends the edge\'s headers with every response, and any other body as it is', async () => {
    const port = await serve(async () => Response.json({ error: 'nope' }, { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="roster"' } }));

    const { received } = await get(port, '/events', /"nope"/);

    const [head = ''] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 401 /);
    expect(head).toMatch(/\r\nwww-authenticate: Bearer realm="roster"/i);
    expect(head).toMatch(/\r\ncontent-security-policy: default-src 'none'; frame-ancestors 'none'/i);
    expect(head).toMatch(/\r\nx-content-type-options: nosniff/i);
    expect(head).toMatch(/\r\nx-request-id: [0-9a-f-]{36}/i);
    expect(head).not.toContain('spoofed');
  });

  it('answers 500 JSON, without details, when the handler throws', async () => {
    const port = await serve(async () => {
      throw new Error('secret detail');
    });

    const { received } = await get(port, '/events', /\}/);

    expect(received).toMatch(/^HTTP\/1\.1 500 /);
    expect(received).toContain('{"error":"Internal server error"}');
    expect(received).not.toContain('secret detail');
  });
});

describe('serveJsonFromNode', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function serve(handle: (request: RequestHead, body: () => unknown) => Promise<unknown>): Promise<string> {
    server = createServer((req, res) => void serveJsonFromNode(handle)(req, res));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/api/presence?x=1`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'spoofed', ...headers }, body });

  it('hands the route the request\'s head and its body as JSON, and answers what it returns as JSON, not cached, with the edge\'s headers', async () => {
    const seen: { head: RequestHead; body: unknown }[] = [];
    const url = await serve(async (head, body) => {
      seen.push({ head, body: body() });
      return { here: 2 };
    });

    const answer = await post(url, '{"tab":"t1"}', { Cookie: 'roster_session=abc' });

    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ here: 2 });
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const requestId = answer.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [{ head, body } = { head: null, body: null }] = seen;
    expect(body).toEqual({ tab: 't1' });
    expect(head?.method).toBe('POST');
    expect(head?.url).toBe(`${url}/api/presence?x=1`);
    expect(head?.headers.get('cookie')).toBe('roster_session=abc');
    expect(head?.headers.get('x-request-id')).toBe(requestId);
    expect(head?.headers.get('x-forwarded-for')).toBe('127.0.0.1');
  });

  it('answers a body that is not JSON 400 and one past MAX_BODY_BYTES 413, as the route would', async () => {
    const url = await serve(async (_head, body) => body());

    const garbled = await post(url, '{"tab":');
    expect(garbled.status).toBe(400);
    expect(await garbled.json()).toEqual({ error: 'Invalid input', fieldErrors: { form: ['Request body must be valid JSON'] } });
    const huge = await post(url, JSON.stringify({ tab: 'x'.repeat(20_000) }));
    expect(huge.status).toBe(413);
  });

  it('answers 400, without calling the route, a request whose Host makes no URL', async () => {
    let called = false;
    const url = await serve(async () => {
      called = true;
      return {};
    });
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect({ port: Number(new URL(url).port), host: '127.0.0.1' });
      let text = '';
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write('POST /api/presence HTTP/1.1\r\nHost: not a host\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'));
      socket.on('data', (chunk: string) => (text += chunk));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(received).toMatch(/^HTTP\/1\.1 400 /);
    expect(received).toContain('{"error":"Bad request"}');
    expect(called).toBe(false);
  });

  it('sends the API\'s answer for what the route throws: 401 with its challenge, and 500 without details', async () => {
    const refused = await post(await serve(async () => { throw new UnauthorizedError(); }), '{}');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="roster"');
    expect(refused.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));

    const failed = await post(await serve(async () => { throw new Error('secret detail'); }), '{}');
    expect(failed.status).toBe(500);
    const text = await failed.text();
    expect(text).toBe('{"error":"Internal server error"}');
  });
});
