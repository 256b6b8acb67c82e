// Part 5: pages against the events they claim to reflect.
import http from 'node:http';
import type { UserDTO } from '../../lib/shared/dto';
import { API_TOKEN, request, sleep } from '../servers';
import { RUN, now } from './config';
import { parsePage } from './http';

/**
 * A page says it reflects every event up to its lastEventId, and a dashboard replays the events
 * after that id on it. A page that already reflects a later write (read after the write committed
 * but before its event was published) gets that write applied twice: rows are idempotent, the
 * total is not. Here: creates of users only one search matches, two at a time, while that search is
 * read two at a time; each read's total against the creates whose events are at most its id.
 */
export type Consistency = { writes: number; reads: number; ahead: number; behind: number; examples: string[]; problems: string[] };

export const RACE_WRITES = 60;

export async function pageEventConsistency(port: number): Promise<Consistency> {
  const tag = `racebench${RUN}`;
  const problems: string[] = [];
  const eventIds = new Map<string, number>();
  let connected = false;
  const stream = http.request(`http://127.0.0.1:${port}/events`, { agent: false, headers: { Authorization: `Bearer ${API_TOKEN}`, Accept: 'text/event-stream' } });
  stream.on('response', (res) => {
    res.setEncoding('utf8');
    let buffer = '';
    res.on('data', (chunk: string) => {
      buffer += chunk;
      const frames = buffer.split('\n\n');
      buffer = frames.pop() ?? '';
      for (const frame of frames) {
        if (frame.startsWith('event: connected')) connected = true;
        const match = /^event: user_created\nid: (\d+)\ndata: (.*)$/m.exec(frame);
        if (!match?.[2]) continue;
        const user = JSON.parse(match[2]) as UserDTO;
        if (user.email.startsWith(tag)) eventIds.set(user.email, Number(match[1]));
      }
    });
  });
  stream.on('error', () => undefined);
  stream.end();
  const reads: { total: number; lastEventId: number }[] = [];
  try {
    const deadline = now() + 5_000;
    while (!connected && now() < deadline) await sleep(10);
    if (!connected) throw new Error('the event stream did not connect');
    let next = 0;
    let writing = true;
    const writer = async () => {
      for (let k = next++; k < RACE_WRITES; k = next++) {
        const { status } = await request(port, 'POST', '/api/users', { name: `Racebench ${k}`, email: `${tag}-${k}@bench.local` });
        if (status !== 201) problems.push(`POST /api/users answered ${status}`);
      }
    };
    const reader = async () => {
      const until = now() + 60_000;
      while (writing && reads.length < 2_000 && now() < until) {
        const answer = await request(port, 'GET', `/api/users?q=${tag}&limit=1`);
        if (answer.status === 200) {
          const page = parsePage(answer);
          reads.push({ total: page.total, lastEventId: page.lastEventId });
        }
      }
    };
    const readers = [reader(), reader()];
    await Promise.all([writer(), writer()]);
    writing = false;
    await Promise.all(readers);
    const settled = now() + 5_000;
    while (eventIds.size < RACE_WRITES && now() < settled) await sleep(20);
    if (eventIds.size < RACE_WRITES) problems.push(`only ${eventIds.size} of ${RACE_WRITES} create events arrived on the stream`);
  } finally {
    stream.destroy();
  }
  const ids = [...eventIds.values()].sort((a, b) => a - b);
  let ahead = 0;
  let behind = 0;
  const examples: string[] = [];
  for (const read of reads) {
    const reflected = ids.filter((id) => id <= read.lastEventId).length;
    if (read.total === reflected) continue;
    if (read.total > reflected) ahead++;
    else behind++;
    if (examples.length < 3) examples.push(`page at event ${read.lastEventId} counts ${read.total} users, events up to it create ${reflected}`);
  }
  return { writes: RACE_WRITES, reads: reads.length, ahead, behind, examples, problems };
}
