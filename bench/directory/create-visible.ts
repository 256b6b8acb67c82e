// Part 3: a user created through the API until its row appears in a dashboard in another browser.
import { type Browser } from '@playwright/test';
import type { UserDTO } from '../../lib/shared/dto';
import { request, sleep } from '../servers';
import { type Summary, summarize } from '../stats';
import { signedInContext, waitConnected } from './browser';
import { CREATES, RUN, now } from './config';

export type CreateVisible = { latencyMs: Summary; missed: number; problems: string[] };

export async function createVisible(port: number, browser: Browser, base: string, token: string): Promise<CreateVisible> {
  const context = await signedInContext(browser, base, token);
  const seenAt = new Map<number, number>();
  const problems: string[] = [];
  const latencies: number[] = [];
  let missed = 0;
  try {
    const page = await context.newPage();
    await page.exposeFunction('__benchSeen', (id: number) => {
      if (!seenAt.has(id)) seenAt.set(id, now());
    });
    await page.goto('/', { waitUntil: 'load', timeout: 30_000 });
    await waitConnected(page);
    await sleep(500);
    for (let k = 0; k < CREATES; k++) {
      const sent = now();
      const { status, text } = await request(port, 'POST', '/api/users', { name: `Dirbench Create ${k}`, email: `dirbench-create-${k}-${RUN}@bench.local` });
      if (status !== 201) {
        problems.push(`POST /api/users answered ${status}: ${text.slice(0, 200)}`);
        continue;
      }
      const { id } = JSON.parse(text) as UserDTO;
      const deadline = now() + 5_000;
      while (!seenAt.has(id) && now() < deadline) await sleep(2);
      const at = seenAt.get(id);
      if (at === undefined) missed++;
      else latencies.push(at - sent);
      await sleep(150);
    }
  } catch (error) {
    problems.push((error as Error).message.split('\n')[0] ?? 'error');
  } finally {
    await context.close();
  }
  if (missed > 0) problems.push(`${missed} of ${CREATES} created users never appeared in the other browser within 5 s`);
  return { latencyMs: summarize(latencies), missed, problems };
}
