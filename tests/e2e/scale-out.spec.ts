// Two production instances on one PostgreSQL database and one Redis, behind Debian's nginx with
// the configuration the README tells operators to use (docs/deploy/nginx.conf). Two browsers
// whose streams are held by different instances stay in sync through the proxy.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freshDatabase, type TestDatabase } from '../support/postgres';
import { REDIS_URL, servicesUp } from '../support/services';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ANONYMOUS, API_TOKEN, SESSION_SECRET } from './credentials';
import { countText, dashboard, expect, test, uniqueEmail } from './fixtures';

const NGINX = '/usr/sbin/nginx';
const PORTS = { a: 3210, b: 3211, nginx: 3212 };
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRATCH = path.join(ROOT, 'tests/.tmp/scale-out');
const PREFIX = `roster-e2e:${randomUUID()}:`;
const PROXY = `http://127.0.0.1:${PORTS.nginx}`;

const processes: ChildProcess[] = [];
let database: TestDatabase | undefined;

function start(command: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.on('exit', () => writeFileSync(path.join(SCRATCH, log), out.join('')));
  processes.push(child);
  return child;
}

async function ready(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not become ready`);
}

/** Open streams on each instance, asked directly rather than through nginx. */
async function streams(): Promise<{ a: number; b: number }> {
  const count = async (port: number) =>
    ((await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as { subscribers: number }).subscribers;
  return { a: await count(PORTS.a), b: await count(PORTS.b) };
}

/** docs/deploy/nginx.conf with this test's ports, inside a minimal main configuration. */
function nginxConfig(): string {
  const site = readFileSync(path.join(ROOT, 'docs/deploy/nginx.conf'), 'utf8')
    .replace('server 127.0.0.1:3001;', `server 127.0.0.1:${PORTS.a};`)
    .replace('server 127.0.0.1:3002;', `server 127.0.0.1:${PORTS.b};`)
    .replace('listen 80;', `listen 127.0.0.1:${PORTS.nginx};`);
  if (!site.includes(String(PORTS.a)) || !site.includes(String(PORTS.b)) || !site.includes(String(PORTS.nginx))) {
    throw new Error('docs/deploy/nginx.conf no longer has the addresses this test replaces');
  }
  const temp = (name: string) => `${name}_temp_path ${path.join(SCRATCH, name)};`;
  return [
    'daemon off;',
    'worker_processes 1;',
    `pid ${path.join(SCRATCH, 'nginx.pid')};`,
    `error_log ${path.join(SCRATCH, 'nginx-error.log')} warn;`,
    'events { worker_connections 256; }',
    'http {',
    // Which instance answered each request, and when it began and ended: what a failure here needs.
    "  log_format upstreams '$msec $request_time $upstream_addr $status \"$request\"';",
    `  access_log ${path.join(SCRATCH, 'nginx-access.log')} upstreams;`,
    `  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join(' ')}`,
    site,
    '}',
  ].join('\n');
}

test.describe('two instances behind nginx', () => {
  test.describe.configure({ timeout: 90_000 });

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    const noNginx = !existsSync(NGINX);
    if (noNginx && process.env.ROSTER_REQUIRE_SERVICES) throw new Error(`${NGINX} is missing (apt-get install nginx)`);
    test.skip(noNginx, `SKIPPED: ${NGINX} is missing: apt-get install nginx to run this test.`);
    test.skip(!(await servicesUp('postgres', 'redis')), 'SKIPPED: PostgreSQL or Redis is unreachable (see the warning above).');

    rmSync(SCRATCH, { recursive: true, force: true });
    mkdirSync(SCRATCH, { recursive: true });
    database = await freshDatabase('e2e');
    const DATABASE_URL = database.url;
    // Once per deploy, before the instances start (as the README says).
    const migrated = spawnSync('npm', ['run', 'db:migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL }, encoding: 'utf8' });
    if (migrated.status !== 0) throw new Error(`db:migrate failed:\n${migrated.stdout}\n${migrated.stderr}`);

    // Each instance as `npm start` runs it.
    const server = path.join(ROOT, 'server.ts');
    const env = {
      NODE_ENV: 'production',
      NEXT_TELEMETRY_DISABLED: '1',
      DATABASE_URL,
      REDIS_URL,
      REDIS_KEY_PREFIX: PREFIX,
      ADMIN_EMAIL,
      ADMIN_PASSWORD,
      SESSION_SECRET,
      API_TOKEN,
      TRUSTED_PROXY_HOPS: '1',
      RATE_LIMIT_WRITES_PER_MIN: '0',
    };
    for (const [name, port] of [['a', PORTS.a], ['b', PORTS.b]] as const) {
      start(process.execPath, [server, '--port', String(port), '--hostname', '127.0.0.1'], env, `instance-${name}.log`);
    }
    await Promise.all([ready(`http://127.0.0.1:${PORTS.a}`), ready(`http://127.0.0.1:${PORTS.b}`)]);
    writeFileSync(path.join(SCRATCH, 'nginx.conf'), nginxConfig());
    start(NGINX, ['-p', SCRATCH, '-c', path.join(SCRATCH, 'nginx.conf')], {}, 'nginx.log');
    await ready(PROXY);
  });

  test.afterAll(async () => {
    for (const child of processes.splice(0)) child.kill('SIGTERM');
    await database?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  test('browsers whose streams are on different instances see each other’s changes', async ({ browser }) => {
    const open = async () => {
      // Sessions live in the deployment's database: each browser signs in through the proxy.
      const context = await browser.newContext({ storageState: ANONYMOUS, baseURL: PROXY });
      const page = await context.newPage();
      await page.goto('/');
      await expect(page).toHaveURL(/\/login$/);
      await page.getByLabel('Email').fill(ADMIN_EMAIL);
      await page.getByLabel('Password').fill(ADMIN_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(page).toHaveURL(`${PROXY}/`);
      await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
      return { context, page, ui: dashboard(page) };
    };
    const first = await open();
    await expect.poll(async () => { const s = await streams(); return s.a + s.b; }).toBe(1);
    const second = await open();
    // least_conn sends the second stream to the instance without one; were both on one instance,
    // this would not be a test of fan-out across instances, so insist on it.
    // Counted once the reloaded tab's old stream has closed (both tabs hold exactly one stream).
    const settled = async () => {
      await expect.poll(async () => { const s = await streams(); return s.a + s.b; }).toBe(2);
      return streams();
    };
    // A reload's stream can still meet a short request of the page on the free instance (least_conn
    // then has a tie to break), so it may take a few; how many is kept with the result.
    let reloads = 0;
    for (; reloads < 8 && (await settled()).a !== 1; reloads++) {
      await second.page.reload();
      await expect(second.ui.connection).toHaveText('Connected (SSE)');
    }
    test.info().annotations.push({ type: 'reloads', description: String(reloads) });
    await expect.poll(streams).toEqual({ a: 1, b: 1 });

    const name = 'Proxied Pia';
    const email = uniqueEmail('proxied');
    await first.ui.name.fill(name);
    await first.ui.email.fill(email);
    await first.ui.submit.click();
    await expect(first.ui.formStatus).toHaveText(`Added ${name}.`);
    await expect(second.ui.row(email)).toContainText(name);
    await expect(first.ui.row(email)).toHaveCount(1);

    // A script's write on instance B directly reaches both, whichever instance holds their stream.
    const scripted = uniqueEmail('scripted');
    const created = await fetch(`http://127.0.0.1:${PORTS.b}/api/users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${API_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Scripted Sam', email: scripted }),
    });
    expect(created.status).toBe(201);
    await expect(first.ui.row(scripted)).toHaveCount(1);
    await expect(second.ui.row(scripted)).toHaveCount(1);

    await second.ui.deleteButton(name).click();
    await expect(first.ui.row(email)).toHaveCount(0);
    await expect(second.ui.row(email)).toHaveCount(0);
    await expect(first.ui.count).toHaveText(countText(1));
    await expect(second.ui.count).toHaveText(countText(1));
    await expect(first.ui.connection).toHaveText('Connected (SSE)');
    await expect(second.ui.connection).toHaveText('Connected (SSE)');

    await first.context.close();
    await second.context.close();
  });
});
