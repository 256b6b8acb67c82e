// The dashboard page and GET /api/users timed while users are created at a given rate: what an
// admin feels of a process busy with its streams; the creates themselves timed too, and the
// event-loop delay meanwhile.
import { sessionCookieOf, submitSignIn } from '../tests/support/session';
import { type LoopDelay, loopDelaySince } from './loop-delay';
import { request, ROSTER_ENV, sleep } from './servers';
import { summarize, type Summary } from './stats';

export type Pages = { seconds: number; page: Summary; api: Summary; create: Summary; loop: LoopDelay };

/** Signs in through the real login form (as a browser without JavaScript) and returns the Cookie header. */
export async function signIn(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const response = await submitSignIn(base, ROSTER_ENV.ADMIN_PASSWORD, { Origin: base }, ROSTER_ENV.ADMIN_EMAIL);
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error(`signing in answered ${response.status} without a session cookie`);
  return cookie;
}

/**
 * For `events / rate` seconds: a user created every 1/rate s (each create timed), and meanwhile
 * GET / (with the session) and GET /api/users (with the token), one after the other, each timed.
 */
export async function probePages(port: number, cookie: string, events: number, rate: number): Promise<Pages> {
  const page: number[] = [];
  const api: number[] = [];
  const create: number[] = [];
  const loopDelay = await loopDelaySince(port);
  const until = Date.now() + (events / rate) * 1_000;
  const creates = (async () => {
    const posts: Promise<unknown>[] = [];
    for (let k = 0; Date.now() < until; k++) {
      const started = performance.now();
      posts.push(request(port, 'POST', '/api/users', { name: `load-${k}`, email: `load-${k}-${Date.now()}@bench.local` }).then(() => create.push(performance.now() - started)));
      await sleep(1_000 / rate);
    }
    await Promise.all(posts);
  })();
  while (Date.now() < until) {
    for (const [times, url, headers] of [
      [page, '/', { Cookie: cookie }],
      [api, '/api/users', {}],
    ] as const) {
      const started = performance.now();
      const { status } = await request(port, 'GET', url, undefined, headers);
      if (status !== 200) throw new Error(`GET ${url} answered ${status}`);
      times.push(performance.now() - started);
    }
  }
  await creates;
  return { seconds: events / rate, page: summarize(page), api: summarize(api), create: summarize(create), loop: await loopDelay() };
}
