// What 10,000 open dashboards send besides their stream (forked by bench/run.ts for the
// roster-presence target): each tab's presence report every REPORT_EVERY_MS (lib/browser/presence.ts),
// with a sample of the events it applied, spread evenly over the interval, from sessions of many
// people (a person may have 50 tabs), saying which list of who is here it shows (`seen`), as a
// page does. Started once the subscribers are connected; runs until told to stop.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { REPORT_EVERY_MS } from '../lib/shared/presence';

type Start = { port: number; cookies: string[]; tabs: number };

// Each tab is a browser of its own: enough sockets that a slow answer does not hold back the next tabs' reports.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1_024 });
const TICK_MS = 50;
/** Samples per report: an event every half second over 20 s is 40. */
const SAMPLES = 40;

let stopped = false;
let sent = 0;
let refused = 0;
let failed = 0;
/** Why reports were refused: status and error, counted. */
const reasons = new Map<string, number>();
let lastEventId = 0;
/** The list of who is here the tabs show: the last one an answer carried. */
let seen: string | undefined;

function post(port: number, path: string, cookie: string, body: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { port, host: '127.0.0.1', method: 'POST', path, agent, headers: { Cookie: cookie, Origin: `http://127.0.0.1:${port}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode === 200) seen = (JSON.parse(text) as { version?: string }).version ?? seen;
          else {
            const why = `${res.statusCode} ${text.slice(0, 120)}`;
            reasons.set(why, (reasons.get(why) ?? 0) + 1);
          }
          resolve(res.statusCode ?? 0);
        });
      },
    );
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

async function health(port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    http.get({ port, host: '127.0.0.1', path: '/api/health', agent }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => {
        lastEventId = Number((JSON.parse(text) as { lastEventId?: number }).lastEventId ?? lastEventId);
        resolve();
      });
    }).on('error', () => resolve());
  });
}

async function run({ port, cookies, tabs }: Start): Promise<void> {
  const ids = Array.from({ length: tabs }, () => randomUUID());
  const perTick = tabs / (REPORT_EVERY_MS / TICK_MS);
  let due = 0;
  let next = 0;
  const watch = setInterval(() => void health(port), 1_000);
  await health(port);
  while (!stopped) {
    const started = performance.now();
    due += perTick;
    const batch: Promise<void>[] = [];
    for (; due >= 1; due--) {
      const i = next++ % tabs;
      const deliveries = lastEventId > 0 ? Array.from({ length: SAMPLES }, (_, k) => ({ eventId: Math.max(1, lastEventId - (k % 3)), atMs: Date.now() - 50 - k * 10 })) : [];
      const body = JSON.stringify({ tab: ids[i], transport: 'sse', editing: null, ...(deliveries.length ? { deliveries } : {}), ...(seen ? { seen } : {}) });
      batch.push(
        post(port, '/api/presence', cookies[i % cookies.length] ?? '', body).then((status) => {
          if (status === 200) sent++;
          else if (status === 429 || status === 400) refused++;
          else failed++;
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, TICK_MS - (performance.now() - started))));
  }
  clearInterval(watch);
}

process.on('message', (message: { cmd: 'start'; start: Start } | { cmd: 'stop' }) => {
  if (message.cmd === 'start') {
    void run(message.start);
    process.send?.({ cmd: 'started' });
    return;
  }
  stopped = true;
  process.send?.({ cmd: 'stopped', sent, refused, failed, reasons: [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 5) });
});
