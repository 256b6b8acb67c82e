// The quick start (`npm run dev`, no .env) must work: in development without ADMIN_PASSWORD the
// dashboard and the API are open, and the page says so.
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '@/prisma/tooling/migrate';
import { databaseTarget } from '@/lib/server/db/url';
import type { PageDTO } from '@/lib/shared/dto';
import { exited, freePort, tempDir } from '../support/server';

const HOST = '127.0.0.1';
let child: ChildProcess | undefined;
let url = '';
let removeScratch = async () => {};

beforeAll(async () => {
  const scratch = await tempDir('dev');
  removeScratch = scratch.remove;
  const databaseFile = path.join(scratch.dir, 'roster.db');
  await applyMigrations(databaseTarget(`file:${databaseFile}`));
  const port = await freePort();
  url = `http://${HOST}:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', NEXT_TELEMETRY_DISABLED: '1', DATABASE_URL: `file:${databaseFile}` };
  for (const name of ['ADMIN_PASSWORD', 'SESSION_SECRET', 'API_TOKEN']) delete env[name];
  const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
  child = spawn(process.execPath, [next, 'dev', '--port', String(port), '--hostname', HOST], { env, stdio: 'ignore' });
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
