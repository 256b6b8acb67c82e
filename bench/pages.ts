// The dashboard page and GET /api/users timed while users are created at the benchmark's rate:
// what an admin feels of a process busy with its streams.
import { sessionCookieOf, submitSignIn } from '../tests/support/session';
import { request, ROSTER_ENV, sleep } from './servers';
import { summarize, type Summary } from './stats';

export type Pages = { page: Summary; api: Summary };

/** Signs in through the real login form (as a browser without JavaScript) and returns the Cookie header. */
export async function signIn(port: number): Promise<string> {
  const base = `http://127.0.0.1:${port}`;
  const response = await submitSignIn(base, ROSTER_ENV.ADMIN_PASSWORD, { Origin: base }, ROSTER_ENV.ADMIN_EMAIL);
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error(`signing in answered ${response.status} without a session cookie`);
  return cookie;
}

/**
 * For `events / rate` seconds: a user created every 1/rate s, and meanwhile GET / (with the
 * session) and GET /api/users (with the token), one after the other, each timed.
 */
export async function probePages(port: number, cookie: string, events: number, rate: number): Promise<Pages> {
  const page: number[] = [];
  const api: number[] = [];
  const until = Date.now() + (events / rate) * 1_000;
  const creates = (async () => {
    for (let k = 0; Date.now() < until; k++) {
      await Promise.all([request(port, 'POST', '/api/users', { name: `load-${k}`, email: `load-${k}-${Date.now()}@bench.local` }), sleep(1_000 / rate)]);
    }
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
  return { page: summarize(page), api: summarize(api) };
}
