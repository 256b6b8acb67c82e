import { describe, expect, it } from 'vitest';
import { clientKey } from '@/lib/server/rate-limit/client-key';
import { RateLimiter } from '@/lib/server/rate-limit/token-bucket';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter', () => {
  it('lets a client burst up to its allowance, then refuses with the seconds until the next token', () => {
    const time = clock();
    const limiter = new RateLimiter(120, time.now);
    for (let i = 0; i < 120; i++) expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
  });

  it('refills continuously at the per-minute rate', () => {
    const time = clock();
    const limiter = new RateLimiter(6, time.now); // one token every 10 s
    for (let i = 0; i < 6; i++) limiter.take('a');
    const refused = limiter.take('a');
    expect(refused).toEqual({ ok: false, retryAfterSeconds: 10 });
    time.advance(9_000);
    expect(limiter.take('a')).toEqual({ ok: false, retryAfterSeconds: 1 });
    time.advance(1_000);
    expect(limiter.take('a')).toEqual({ ok: true });
    expect(limiter.take('a').ok).toBe(false);
  });

  it('keeps a separate bucket per client', () => {
    const limiter = new RateLimiter(1, clock().now);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    expect(limiter.take('b').ok).toBe(true);
  });

  it('takes back a refunded token, never past the allowance', () => {
    const limiter = new RateLimiter(2, clock().now);
    limiter.refund('a'); // nothing taken yet: stays at 2
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
    limiter.refund('a');
    expect(limiter.take('a').ok).toBe(true);
    expect(limiter.take('a').ok).toBe(false);
  });

  it('never refuses when the limit is 0 (off)', () => {
    const limiter = new RateLimiter(0, clock().now);
    for (let i = 0; i < 1_000; i++) expect(limiter.take('a').ok).toBe(true);
  });

  it('forgets idle clients once it tracks many, and still limits busy ones', () => {
    const time = clock();
    const limiter = new RateLimiter(1, time.now);
    expect(limiter.take('busy').ok).toBe(true);
    for (let i = 0; i < 10_001; i++) limiter.take(`idle-${i}`);
    time.advance(60_000); // every idle bucket is full again; 'busy' too, and takes its token now
    expect(limiter.take('busy').ok).toBe(true);
    expect(limiter.take('trigger-cleanup').ok).toBe(true);
    expect(limiter.take('busy').ok).toBe(false);
  });
});

describe('clientKey', () => {
  it('is the right-most X-Forwarded-For entry: what the nearest proxy, or Next.js itself, saw', () => {
    expect(clientKey(new Headers({ 'x-forwarded-for': '203.0.113.9' }))).toBe('203.0.113.9');
    expect(clientKey(new Headers({ 'x-forwarded-for': '10.0.0.1, 198.51.100.7' }))).toBe('198.51.100.7');
  });

  it('falls back to one shared key when there is no address', () => {
    expect(clientKey(new Headers())).toBe('unknown');
  });
});
