// A crowd of SSE subscribers in one process (forked by bench/run.ts). Raw sockets keep the
// client cheap, so the machine's two cores go to the server as much as possible.
import net from 'node:net';
import type { ClientReply, ClientCommand } from './protocol';
import { summarize } from './stats';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6; // monotonic, same clock in every process

let sockets: net.Socket[] = [];
let received = new Float64Array(0);
let events = 0;

function connectOne(port: number, index: number, path: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    let tail = '';
    let connected = false;
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nAuthorization: Bearer ${token}\r\n\r\n`),
    );
    socket.on('data', (chunk: string) => {
      const text = tail + chunk;
      if (!connected && text.includes('event: connected')) {
        connected = true;
        resolve(nowMs() - started);
      }
      const at = nowMs();
      for (const match of text.matchAll(/bench-(\d+)"/g)) {
        const slot = index * events + Number(match[1]);
        if (Number.isNaN(received[slot])) received[slot] = at;
      }
      tail = text.slice(-32);
    });
    socket.on('error', (error) => (connected ? undefined : reject(error)));
    socket.on('close', () => (connected ? undefined : reject(new Error('closed before connected'))));
    sockets.push(socket);
  });
}

async function connect(port: number, count: number, eventCount: number, concurrency: number, path: string, token: string) {
  events = eventCount;
  received = new Float64Array(count * eventCount).fill(Number.NaN);
  sockets = [];
  const times: number[] = [];
  let failed = 0;
  const started = nowMs();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        await connectOne(port, index, path, token).then(
          (ms) => times.push(ms),
          () => failed++,
        );
      }
    }),
  );
  return { connected: times.length, failed, totalMs: nowMs() - started, perConnection: summarize(times) };
}

function collect(sendTimes: number[], subscribers: number) {
  const latencies: number[] = [];
  for (let s = 0; s < subscribers; s++) {
    for (let e = 0; e < sendTimes.length; e++) {
      const at = received[s * events + e];
      const sent = sendTimes[e];
      if (at !== undefined && sent !== undefined && !Number.isNaN(at)) latencies.push(at - sent);
    }
  }
  return { delivered: latencies.length, expected: subscribers * sendTimes.length, latency: summarize(latencies) };
}

process.on('message', async (command: ClientCommand) => {
  let reply: ClientReply;
  if (command.cmd === 'connect') {
    reply = { cmd: 'connect', ...(await connect(command.port, command.count, command.events, command.concurrency, command.path, command.token)) };
  } else if (command.cmd === 'received') {
    let count = 0;
    for (const at of received) if (!Number.isNaN(at)) count++;
    reply = { cmd: 'received', count };
  } else if (command.cmd === 'collect') {
    reply = { cmd: 'collect', ...collect(command.sendTimes, sockets.length) };
  } else {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    reply = { cmd: 'close' };
  }
  process.send?.(reply);
});
