// The quick start (`npm run dev`, no .env) must work: in development without ADMIN_PASSWORD the
// dashboard and the API are open, and the page says so. Started as `npm run dev` starts it (no
// --hostname), it goes live in a browser at 127.0.0.1 and at the machine's network address, which
// Next.js 16 refuses its scripts to unless next.config.ts allows them; and a page whose scripts
// never start says why instead of a bare "Disconnected".
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import type { PageDTO } from '@/lib/shared/dto';
import { chromiumLaunchOptions } from '../support/chromium';
import { exited, freePort, tempDir } from '../support/server';

const HOST = '127.0.0.1';
let child: ChildProcess | undefined;
let url = '';
let port = 0;
let removeScratch = async () => {};

beforeAll(async () => {
  const scratch = await tempDir('dev');
  removeScratch = scratch.remove;
  const databaseFile = path.join(scratch.dir, 'roster.db');
  await applyMigrations(databaseTarget(`file:${databaseFile}`));
  port = await freePort();
  url = `http://${HOST}:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: `file:${databaseFile}` };
  for (const name of ['ADMIN_PASSWORD', 'SESSION_SECRET', 'API_TOKEN']) delete env[name];
  const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
  child = spawn(process.execPath, [next, 'dev', '--port', String(port)], { env, stdio: 'ignore' });
  // The development server compiles the page on its first request, which takes a while.
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('next dev did not come up within 90 s');
}, 120_000);

afterAll(async () => {
  if (child) {
    child.kill('SIGTERM');
    await exited(child);
  }
  await removeScratch();
});

describe('development without ADMIN_PASSWORD', () => {
  it('serves the dashboard to anyone, with a visible "Authentication is off" banner', async () => {
    const response = await fetch(`${url}/`, { redirect: 'manual' });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Authentication is off');
    expect(html).toContain('No users yet');
  }, 90_000);

  it('lets the API be used without credentials', async () => {
    const created = await fetch(`${url}/api/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Dev User', email: 'dev@example.com' }),
    });
    expect(created.status).toBe(201);
    const page = (await (await fetch(`${url}/api/users`)).json()) as PageDTO;
    expect(page.users.map((user) => user.email)).toEqual(['dev@example.com']);
    expect(page.total).toBe(1);
  }, 60_000);
});

/** This machine's first non-loopback IPv4 address: what `next dev` prints as "Network". */
const networkAddress = Object.values(networkInterfaces())
  .flat()
  .find((net) => net && net.family === 'IPv4' && !net.internal)?.address;

describe('the development server, opened as people open it', () => {
  const hosts = [HOST, ...(networkAddress ? [networkAddress] : [])];

  it.each(hosts)('goes live in a browser at %s', async (host) => {
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage();
      await page.goto(`http://${host}:${port}/`);
      // The first compile of the client in development takes a while.
      await page.getByTestId('connection-status').getByText('Connected (SSE)').waitFor({ timeout: 60_000 });
      await page.getByRole('textbox', { name: 'Name' }).fill('Live Dev');
      await page.getByRole('textbox', { name: 'Email' }).fill(`live-${host.replaceAll('.', '-')}@example.com`);
      await page.getByRole('button', { name: 'Add user' }).click();
      await page.getByRole('gridcell', { name: `live-${host.replaceAll('.', '-')}@example.com` }).waitFor({ timeout: 10_000 });
    } finally {
      await browser.close();
    }
  }, 90_000);

  it('refuses its dev scripts to a host it does not know: the reason allowedDevOrigins is set', async () => {
    const html = await (await fetch(`${url}/`)).text();
    const script = /<script src="(\/_next\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asked = (origin: string) => fetch(`${url}${script}`, { headers: { Origin: origin, 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Site': 'cross-site' } }).then((r) => r.status);
    expect(await asked(`http://${HOST}:${port}`)).toBe(200);
    expect(await asked('http://stranger.example')).toBe(403);
  }, 60_000);

  it('says in words why a page whose scripts never run is not live', async () => {
    const browser = await chromium.launch(chromiumLaunchOptions);
    try {
      const page = await browser.newPage({ javaScriptEnabled: false });
      await page.goto(`${url}/`);
      const status = page.getByRole('status').filter({ has: page.getByTestId('connection-status') });
      expect(await status.innerText()).toMatch(/^Disconnected\s*— connecting…$/);
      // After a few seconds, CSS alone says what is wrong.
      await page.getByText("this page's scripts did not start").waitFor({ state: 'visible', timeout: 10_000 });
      expect(await status.innerText()).toMatch(/^Disconnected\s*— this page's scripts did not start, so it cannot go live\. Reload it; with npm run dev, open the address it printed, or add this host to ALLOWED_DEV_ORIGINS\.$/);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
