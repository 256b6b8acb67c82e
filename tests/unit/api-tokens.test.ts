import { afterEach, describe, expect, it, vi } from 'vitest';

// API tokens and callers by bearer token. Sessions live in the database: tests/integration/sessions.test.ts.

const ENV = {
  ADMIN_PASSWORD: 'correct horse',
  SESSION_SECRET: 'a-test-secret-that-is-long-enough-1234',
  API_TOKEN: 'single-token-0123456789',
  API_TOKENS: 'deploy-bot:deploy-token-0123456789, backup.job:backup-token-0123456789:viewer, ops:ops:token:0123456789:admin, colon:a:token:with:colons',
};

async function load(env: Record<string, string> = {}) {
  for (const [name, value] of Object.entries({ ...ENV, ...env })) vi.stubEnv(name, value);
  vi.resetModules();
  vi.doMock('next/headers', () => ({ cookies: async () => ({ get: () => undefined }) }));
  return { auth: await import('@/lib/server/auth'), secrets: await import('@/lib/server/auth/secrets') };
}

afterEach(() => vi.unstubAllEnvs());

const request = (headers: Record<string, string>) => new Request('http://localhost/api/users', { headers });

describe('API tokens', () => {
  it('names each token of API_TOKENS with its role (editor unless given), and API_TOKEN after its variable, as admin', async () => {
    const { secrets } = await load();
    expect(secrets.apiToken('deploy-token-0123456789')).toEqual({ name: 'deploy-bot', role: 'editor' });
    expect(secrets.apiToken('backup-token-0123456789')).toEqual({ name: 'backup.job', role: 'viewer' });
    expect(secrets.apiToken('ops:token:0123456789')).toEqual({ name: 'ops', role: 'admin' });
    expect(secrets.apiToken('a:token:with:colons')).toEqual({ name: 'colon', role: 'editor' });
    expect(secrets.apiToken('single-token-0123456789')).toEqual({ name: 'API_TOKEN', role: 'admin' });
    expect(secrets.apiToken('backup-token-0123456789:viewer')).toBeNull();
    expect(secrets.apiToken('deploy-token-012345678X')).toBeNull();
    expect(secrets.apiToken('')).toBeNull();
  });

  it('gives a bearer caller the principal token:<name>, and refuses anything else as a bearer', async () => {
    const { auth } = await load();
    expect(await auth.callerOf(request({ authorization: 'Bearer deploy-token-0123456789' }))).toEqual({
      via: 'token',
      principal: 'token:deploy-bot',
      role: 'editor',
      user: null,
      sessionId: null,
      expiresAt: null,
    });
    expect(await auth.callerOf(request({ authorization: 'bearer single-token-0123456789' }))).toMatchObject({ principal: 'token:API_TOKEN' });
    expect(await auth.callerOf(request({ authorization: 'Bearer deploy-token-012345678X' }))).toBeNull();
    expect(await auth.callerOf(request({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeNull();
  });

  it.each([
    ['no name', ':a-token-that-is-long-enough', 'API_TOKENS: entry 1 must be name:token'],
    ['no colon', 'a-token-that-is-long-enough', 'API_TOKENS: entry 1 must be name:token'],
    ['a short token', 'bot:short-secret', 'API_TOKENS: the token named bot must be at least 16 characters'],
    ['a name used twice', 'bot:first-token-0123456789 bot:second-token-0123456789', 'API_TOKENS: the name bot is taken'],
  ])('refuses to start with %s in API_TOKENS, without printing the token', async (_case, value, message) => {
    const failure = await load({ API_TOKENS: value }).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failure).toContain(message);
    for (const secret of value.split(/[\s:]+/).filter((part) => part.length >= 16)) expect(failure).not.toContain(secret);
  });
});

describe('secrets', () => {
  it('compares secrets by value, whatever their lengths', async () => {
    const { secrets } = await load();
    expect(secrets.sameSecret('correct horse', 'correct horse')).toBe(true);
    expect(secrets.sameSecret('correct hors', 'correct horse')).toBe(false);
    expect(secrets.sameSecret('', 'correct horse')).toBe(false);
  });

  it('keys its hashes with SESSION_SECRET', async () => {
    const first = (await load()).secrets.keyedHash('device:abc');
    const again = (await load()).secrets.keyedHash('device:abc');
    const otherSecret = (await load({ SESSION_SECRET: 'another-secret-that-is-long-enough-99' })).secrets.keyedHash('device:abc');
    expect(again).toBe(first);
    expect(otherSecret).not.toBe(first);
  });
});
