// A crowd of SSE subscribers in one process (forked by bench/run.ts). Raw sockets keep the
// client cheap, so the machine's two cores go to the server as much as possible.
import net from 'node:net';
import type { ClientCommand, ClientReply, Delivery, Group } from './protocol';
import { summarize } from './stats';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6; // monotonic, same clock in every process

let sockets: net.Socket[] = [];
let received = new Float64Array(0);
let events = 0;
let groups: Group[] = [];

function connectOne(port: number, index: number, path: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = nowMs();
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    let tail = '';
    let connected = false;
    socket.on('connect', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n${auth}\r\n\r\n`),
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

/** Subscribers are numbered through the groups in order: the first group's count, then the next's. */
function portOf(index: number): number {
  let end = 0;
  for (const group of groups) {
    end += group.count;
    if (index < end) return group.port;
  }
  throw new Error(`no group for subscriber ${index}`);
}

async function connect(groupList: Group[], eventCount: number, concurrency: number, path: string, auth: string[]) {
  groups = groupList;
  const count = groups.reduce((sum, group) => sum + group.count, 0);
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
        await connectOne(portOf(index), index, path, auth[index % auth.length] ?? '').then(
          (ms) => times.push(ms),
          () => failed++,
        );
      }
    }),
  );
  return { connected: times.length, failed, totalMs: nowMs() - started, perConnection: summarize(times) };
}

/** Delivery of events `firstEvent` … to subscribers `first` … `first + subscribers - 1`, each event sent at sendTimes[its index - firstEvent]. */
function collect(sendTimes: number[], firstEvent: number, first: number, subscribers: number): Delivery {
  const latencies: number[] = [];
  for (let s = first; s < first + subscribers; s++) {
    for (let e = 0; e < sendTimes.length; e++) {
      const at = received[s * events + firstEvent + e];
      const sent = sendTimes[e];
      if (at !== undefined && sent !== undefined && !Number.isNaN(at)) latencies.push(at - sent);
    }
  }
  return { delivered: latencies.length, expected: subscribers * sendTimes.length, latency: summarize(latencies) };
}

process.on('message', async (command: ClientCommand) => {
  let reply: ClientReply;
  if (command.cmd === 'connect') {
    reply = { cmd: 'connect', ...(await connect(command.groups, command.events, command.concurrency, command.path, command.auth)) };
  } else if (command.cmd === 'received') {
    let count = 0;
    for (const at of received) if (!Number.isNaN(at)) count++;
    reply = { cmd: 'received', count };
  } else if (command.cmd === 'collect') {
    let first = 0;
    reply = {
      cmd: 'collect',
      groups: groups.map((group) => {
        const delivery = collect(command.sendTimes, command.first, first, group.count);
        first += group.count;
        return delivery;
      }),
    };
  } else {
    for (const socket of sockets) socket.destroy();
    sockets = [];
    reply = { cmd: 'close' };
  }
  process.send?.(reply);
});
