// "Your sessions": every signed-in browser, where and when, and "Sign out" on any one of them —
// against the shared `npm start` server, through the page's own forms (as a browser without
// JavaScript sends them). Ending another browser's session closes its streams at once and refuses
// its cookie everywhere; ending this browser's own is signing out.
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { postUser, uniqueEmail } from '../support/api';
import { decodeEntities, findForm, submitForm } from '../support/html';
import { ADMIN_PASSWORD } from '../support/secrets';
import { sessionCookieOf, submitSignIn } from '../support/session';
import { SseClient } from '../support/sse';

const { baseUrl } = inject('servers')['npm start'];
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

const clients: SseClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

/** Signs in as a browser with this User-Agent from this address; its Cookie and its session's id. */
async function browser(agent: string, address: string): Promise<{ cookie: string; id: string }> {
  const response = await submitSignIn(baseUrl, ADMIN_PASSWORD, { 'User-Agent': agent, 'X-Forwarded-For': address });
  const cookie = sessionCookieOf(response);
  if (!cookie) throw new Error(`signing in answered ${response.status} without a cookie`);
  const token = cookie.slice(cookie.indexOf('=') + 1);
  return { cookie, id: createHash('sha256').update(token).digest('base64url') };
}

async function sessionsPage(cookie: string): Promise<{ status: number; html: string }> {
  const response = await fetch(`${baseUrl}/account/sessions`, { headers: { Cookie: cookie }, redirect: 'manual' });
  return { status: response.status, html: decodeEntities(await response.text()) };
}

/** The row of one session: its browser, address and whether it is this one. */
function rowOf(html: string, id: string): string | undefined {
  return [...html.matchAll(/<tr data-session="(?:current|other)">[\s\S]*?<\/tr>/g)].map((match) => match[0]).find((row) => row.includes(`value="${id}"`));
}

async function endFrom(cookie: string, id: string, html: string): Promise<Response> {
  const form = findForm(html, (candidate) => candidate.includes(`value="${id}"`));
  return submitForm(`${baseUrl}/account/sessions`, form, {}, { headers: { Cookie: cookie, Origin: baseUrl }, redirect: 'manual' });
}

const writeWith = async (cookie: string) => (await postUser(baseUrl, { name: 'Session Check', email: uniqueEmail('session') }, { auth: { cookie } })).status;

describe('the sessions page', () => {
  it('lists each signed-in browser with its browser, address and times, marking this one', async () => {
    const here = await browser(CHROME, '203.0.113.7');
    const there = await browser(FIREFOX, '198.51.100.23');
    const { status, html } = await sessionsPage(here.cookie);
    expect(status).toBe(200);
    const mine = rowOf(html, here.id);
    const theirs = rowOf(html, there.id);
    expect(mine).toContain('Chrome 156 on Linux');
    expect(mine).toContain('203.0.113.7');
    expect(mine).toContain('This browser');
    expect(theirs).toContain('Firefox 140 on Windows');
    expect(theirs).toContain('198.51.100.23');
    expect(theirs).not.toContain('This browser');
    expect(theirs).toMatch(/<time dateTime="\d{4}-\d\d-\d\dT[\d:.]+Z">\d{4}-\d\d-\d\d \d\d:\d\d UTC<\/time>/);
  });

  it('signs another browser out: its cookie is refused and its open stream ends with `expired` at once', async () => {
    const here = await browser(CHROME, '203.0.113.8');
    const there = await browser(FIREFOX, '198.51.100.24');
    const stream = await SseClient.connect(`${baseUrl}/events`, {}, { cookie: there.cookie });
    clients.push(stream);
    expect((await stream.next()).event).toBe('connected');

    const endedAt = Date.now();
    const response = await endFrom(here.cookie, there.id, (await sessionsPage(here.cookie)).html);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/account/sessions');
    for (;;) {
      const message = await stream.next(Math.max(1, endedAt + 2_000 - Date.now()));
      if (message.event === 'expired') break;
    }
    expect(Date.now() - endedAt).toBeLessThan(2_000);
    expect(await writeWith(there.cookie)).toBe(401);
    expect((await sessionsPage(there.cookie)).status).toBe(307);
    // This browser goes on, and no longer lists the other.
    expect(await writeWith(here.cookie)).toBe(201);
    expect(rowOf((await sessionsPage(here.cookie)).html, there.id)).toBeUndefined();
  });

  it('signs this browser out when its own session is ended, and ignores an id that is no session', async () => {
    const here = await browser(CHROME, '203.0.113.9');
    const { html } = await sessionsPage(here.cookie);
    const forged = findForm(html, (candidate) => candidate.includes(`value="${here.id}"`)).replace(here.id, 'x'.repeat(43));
    const ignored = await submitForm(`${baseUrl}/account/sessions`, forged, {}, { headers: { Cookie: here.cookie, Origin: baseUrl }, redirect: 'manual' });
    expect(ignored.status).toBe(303);
    expect(await writeWith(here.cookie)).toBe(201);

    const own = await endFrom(here.cookie, here.id, html);
    expect(own.status).toBe(303);
    expect(own.headers.get('location')).toBe('/login');
    expect(own.headers.getSetCookie().some((cookie) => cookie.startsWith('roster_session=;'))).toBe(true);
    expect(await writeWith(here.cookie)).toBe(401);
  });

  it('is linked from the dashboard of a signed-in browser, and sends a visitor without a session to sign in', async () => {
    const here = await browser(CHROME, '203.0.113.10');
    expect(await (await fetch(`${baseUrl}/`, { headers: { Cookie: here.cookie } })).text()).toContain('href="/account/sessions"');
    expect((await fetch(`${baseUrl}/account/sessions`, { redirect: 'manual' })).headers.get('location')).toMatch(/\/login$/);
  });
});
