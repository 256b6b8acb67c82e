// A report's caller is held only while its session has a stream open here, and looked up again
// once that stream closes, once the session expires, and at least every LOOK_AGAIN_MS.
import { describe, expect, it } from 'vitest';
import type { Caller } from '@/lib/server/auth';
import { LOOK_AGAIN_MS, StreamCallers } from '@/lib/server/presence/stream-callers';

const T = 1_000_000;

const session = (id: string, expiresAt = T + 10 * LOOK_AGAIN_MS): Caller => ({
  via: 'session',
  principal: `user:${id}`,
  role: 'editor',
  user: { id: 1, name: `Person ${id}` },
  sessionId: id,
  expiresAt,
});

function withStreams(...ids: string[]) {
  const open = new Set(ids);
  return { open, callers: new StreamCallers((id) => open.has(id)) };
}

describe('StreamCallers', () => {
  it('holds a session with a stream open here, and lets it go the moment the stream closes', () => {
    const { open, callers } = withStreams('a');
    const ada = session('a');
    callers.keep(ada, T);
    expect(callers.get('a', T + 1)).toBe(ada);
    expect(callers.get('b', T + 1)).toBeNull();
    expect(callers.get(null, T + 1)).toBeNull();

    open.delete('a'); // signed out: the relay closed its streams
    expect(callers.get('a', T + 2)).toBeNull();
    // Its stream back, it is still not held: it has to be looked up again first.
    open.add('a');
    expect(callers.get('a', T + 3)).toBeNull();
  });

  it('holds nobody without a stream here, and no token or open-server caller', () => {
    const { callers } = withStreams('token-session');
    callers.keep(session('elsewhere'), T);
    callers.keep({ ...session('token-session'), via: 'token' }, T);
    callers.keep({ via: 'open', principal: 'open', role: 'admin', user: null, sessionId: null, expiresAt: null }, T);
    expect(callers.size).toBe(0);
    expect(callers.get('elsewhere', T)).toBeNull();
    expect(callers.get('token-session', T)).toBeNull();
  });

  it('looks again at least every LOOK_AGAIN_MS, and never past the session\'s expiry', () => {
    const { callers } = withStreams('a', 'b');
    callers.keep(session('a'), T);
    expect(callers.get('a', T + LOOK_AGAIN_MS - 1)).not.toBeNull();
    expect(callers.get('a', T + LOOK_AGAIN_MS)).toBeNull();

    callers.keep(session('b', T + 500), T);
    expect(callers.get('b', T + 499)).not.toBeNull();
    expect(callers.get('b', T + 500)).toBeNull();
  });

  it('lets go of the entries of closed streams as it grows, keeping the live ones', () => {
    const { open, callers } = withStreams();
    for (let i = 0; i < 5_000; i++) {
      open.add(`s${i}`);
      callers.keep(session(`s${i}`), T);
      // Most streams close soon after: a tab that reported once and went.
      if (i % 10 !== 0) open.delete(`s${i}`);
    }
    expect(callers.size).toBeLessThan(2_000);
    for (let i = 0; i < 5_000; i += 10) expect(callers.get(`s${i}`, T + 1), `s${i}`).not.toBeNull();
  });
});
