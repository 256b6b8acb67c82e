// The stream writer (lib/server/events/writer.ts) with its real child process and real sockets: a
// node:http server hands its responses' sockets to it as `npm start` does, and raw clients read.
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type HandedSink, StreamWriter } from '@/lib/server/events/writer';
import { forkWriter } from '../support/stream-writer';
const frame = (text: string) => new TextEncoder().encode(`${text}\n`);

/** A raw client: everything it has read, and whether the server closed the connection. */
type Client = { socket: net.Socket; text: () => string; closed: Promise<void> };

describe('StreamWriter', () => {
  let server: Server;
  let writer: StreamWriter;
  let children: ChildProcess[];
  /** The sinks in the order their requests came. */
  let sinks: HandedSink[];
  let responses: ServerResponse[];
  let port: number;

  beforeEach(async () => {
    children = [];
    sinks = [];
    responses = [];
    writer = new StreamWriter(forkWriter(children));
    server = createServer((req, res) => {
      res.useChunkedEncodingByDefault = false;
      res.writeHead(200, { 'Content-Type': 'text/event-stream', Connection: 'close' });
      responses.push(res);
      sinks.push(writer.sink(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });

  afterEach(async () => {
    for (const child of children) child.kill();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function connect(): Promise<Client> {
    const socket = net.connect({ port, host: '127.0.0.1' });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const before = sinks.length;
    socket.write(`GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    await expect.poll(() => sinks.length).toBe(before + 1);
    return { socket, text: () => text, closed };
  }

  /** The body a client has read: what follows the head. */
  const body = (client: Client) => client.text().split('\r\n\r\n').slice(1).join('\r\n\r\n');

  it('writes each stream its frames in order, after its head, through the child process', async () => {
    const clients: Client[] = [];
    for (let i = 0; i < 20; i++) clients.push(await connect());
    // Before the hand-over (this tick) and after it, interleaved across streams with runs of one frame.
    for (let n = 0; n < 30; n++) {
      const shared = frame(`all ${n}`);
      for (const [i, sink] of sinks.entries()) sink.write(i % 3 === 0 ? frame(`own ${i} ${n}`) : shared);
      if (n % 10 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const expected = (i: number) => Array.from({ length: 30 }, (_, n) => (i % 3 === 0 ? `own ${i} ${n}\n` : `all ${n}\n`)).join('');
    for (const [i, client] of clients.entries()) {
      await expect.poll(() => body(client)).toBe(expected(i));
      expect(client.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    }
    expect(children).toHaveLength(1);
    expect(writer.size).toBe(20);
    for (const client of clients) client.socket.destroy();
    // Let go on both sides once the clients leave.
    await expect.poll(() => writer.size).toBe(0);
  });

  it('ends a stream after what it was sent, and aborts one at once', async () => {
    const [ended, aborted, other] = [await connect(), await connect(), await connect()];
    await expect.poll(() => writer.size).toBe(3);
    sinks[0]!.write(frame('last words'));
    sinks[0]!.end();
    sinks[1]!.abort();
    await ended.closed;
    await aborted.closed;
    expect(body(ended)).toBe('last words\n');
    expect(writer.size).toBe(1);
    // The other stream is still served.
    sinks[2]!.write(frame('still here'));
    await expect.poll(() => body(other)).toBe('still here\n');
    expect(other.socket.destroyed).toBe(false);
  });

  it('ends a stream ended before its socket was handed over, with what it was sent', async () => {
    server.removeAllListeners('request');
    server.on('request', (_req, res: ServerResponse) => {
      res.useChunkedEncodingByDefault = false;
      res.writeHead(200, { Connection: 'close' });
      const sink = writer.sink(res);
      sink.write(frame('early'));
      sink.end();
      sinks.push(sink);
    });
    const client = await connect();
    await client.closed;
    expect(body(client)).toBe('early\n');
  });

  it('lets go of its copy of each socket once the writer has it, and hears from the writer that the client left', async () => {
    const [leaving, staying] = [await connect(), await connect()];
    const left: string[] = [];
    sinks[0]!.whenLeft(() => left.push('leaving'));
    sinks[1]!.whenLeft(() => left.push('staying'));
    // node:http counts no connection of its own, while both streams are still served.
    const connections = () => new Promise<number>((resolve) => server.getConnections((_error, count) => resolve(count)));
    await expect.poll(connections).toBe(0);
    expect(sinks.map((sink) => sink.socket)).toEqual([null, null]);
    for (const sink of sinks) sink.write(frame('served'));
    await expect.poll(() => [body(leaving), body(staying)]).toEqual(['served\n', 'served\n']);
    leaving.socket.destroy();
    await expect.poll(() => left).toEqual(['leaving']);
    expect(writer.size).toBe(1);
    sinks[1]!.write(frame('still'));
    await expect.poll(() => body(staying)).toBe('served\nstill\n');
  });

  it("closes its streams' connections when the child process dies, says they are gone, and starts another for the next", async () => {
    const clients = [await connect(), await connect()];
    await expect.poll(() => writer.size).toBe(2);
    let gone = 0;
    for (const sink of sinks) sink.whenLeft(() => gone++);
    children[0]!.kill('SIGKILL');
    await Promise.all(clients.map((client) => client.closed));
    await expect.poll(() => writer.size).toBe(0);
    expect(gone).toBe(2);
    const next = await connect();
    sinks.at(-1)!.write(frame('again'));
    await expect.poll(() => body(next)).toBe('again\n');
    expect(children).toHaveLength(2);
  });

  it('hears from the child that a client stopped reading', async () => {
    const stalled = await connect();
    stalled.socket.pause();
    await expect.poll(() => writer.size).toBe(1);
    const big = new Uint8Array(256 * 1024).fill(120);
    // Until the kernel's buffers are full and the child's own queue passes the bound (256 KB by default).
    for (let n = 0; n < 400 && sinks[0]!.queued() === 0; n++) {
      sinks[0]!.write(big);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(sinks[0]!.queued()).toBeGreaterThan(256 * 1024);
  });
});
