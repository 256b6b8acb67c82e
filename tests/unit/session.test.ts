import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type * as Auth from '@/lib/auth';
import type * as Session from '@/lib/auth/session';

const SECRET = 'a-test-secret-that-is-long-enough-1234';
let session: typeof Session;
let auth: typeof Auth;

beforeAll(async () => {
  vi.stubEnv('SESSION_SECRET', SECRET);
  vi.stubEnv('ADMIN_PASSWORD', 'correct horse');
  vi.stubEnv('API_TOKEN', 'token-0123456789abcdef');
  vi.resetModules();
  vi.doMock('next/headers', () => ({ cookies: async () => ({ get: () => undefined }) }));
  session = await import('@/lib/auth/session');
  auth = await import('@/lib/auth');
});

const sign = (secret: string, exp: number, subject = 'admin') =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setExpirationTime(exp).sign(new TextEncoder().encode(secret));

describe('sessions', () => {
  it('a session token verifies and says when it expires (SESSION_TTL_SECONDS, 8 h by default)', async () => {
    const before = Date.now();
    const { token, expiresAt } = await session.createSession();
    const expiry = await session.sessionExpiry(token);
    expect(expiry).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);
    expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(8 * 3600 * 1000 - 1000);
  });

  it('rejects a tampered, a foreign, an expired or a missing token', async () => {
    const { token } = await session.createSession();
    const [header, payload, signature] = token.split('.');
    const flipped = `${header}.${payload}.${signature?.startsWith('A') ? 'B' : 'A'}${signature?.slice(1)}`;
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;
    expect(await session.sessionExpiry(flipped)).toBeNull();
    expect(await session.sessionExpiry(await sign('another-secret-that-is-long-enough-00', inAnHour))).toBeNull();
    expect(await session.sessionExpiry(await sign(SECRET, Math.floor(Date.now() / 1000) - 10))).toBeNull();
    expect(await session.sessionExpiry(await sign(SECRET, inAnHour, 'someone-else'))).toBeNull();
    expect(await session.sessionExpiry(undefined)).toBeNull();
    expect(await session.sessionExpiry('not.a.jwt')).toBeNull();
  });
});

describe('callers', () => {
  const request = (headers: Record<string, string>) => new Request('http://localhost/api/users', { headers });

  it('accepts the API token as a bearer token, and nothing else as one', async () => {
    expect(await auth.callerOf(request({ authorization: 'Bearer token-0123456789abcdef' }))).toEqual({ via: 'token', expiresAt: null });
    expect(await auth.callerOf(request({ authorization: 'Bearer token-0123456789abcdeX' }))).toBeNull();
    expect(await auth.callerOf(request({ authorization: 'Basic dXNlcjpwYXNz' }))).toBeNull();
  });

  it('accepts a valid session cookie among other cookies, and refuses anonymous requests', async () => {
    const { token } = await session.createSession();
    const caller = await auth.callerOf(request({ cookie: `theme=dark; roster_session=${token}; x=1` }));
    expect(caller?.via).toBe('session');
    expect(caller?.expiresAt).toBeGreaterThan(Date.now());
    expect(await auth.callerOf(request({}))).toBeNull();
  });

  it('compares secrets by value, whatever their lengths', () => {
    expect(auth.sameSecret('correct horse', 'correct horse')).toBe(true);
    expect(auth.sameSecret('correct hors', 'correct horse')).toBe(false);
    expect(auth.sameSecret('', 'correct horse')).toBe(false);
  });
});
