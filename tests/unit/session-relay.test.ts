import { describe, expect, it } from 'vitest';
import { type SessionsEnded, SessionRelay } from '@/lib/server/auth/session-relay';
import { MemoryBus } from '@/lib/server/events/bus';

describe('SessionRelay', () => {
  it('carries ended sessions to every listener, in order', async () => {
    const relay = new SessionRelay(new MemoryBus());
    const heard: SessionsEnded[] = [];
    relay.onSessionsEnded((ended) => heard.push(ended));
    await relay.endSessions(['abc']);
    await relay.endSessions('all');
    expect(heard).toEqual([['abc'], 'all']);
  });

  it('still ends the sessions on this instance when the bus cannot carry them', async () => {
    class DownBus extends MemoryBus {
      override publish(): Promise<void> {
        return Promise.reject(new Error('redis down'));
      }
    }
    const relay = new SessionRelay(new DownBus());
    const heard: SessionsEnded[] = [];
    relay.onSessionsEnded((ended) => heard.push(ended));
    await expect(relay.endSessions(['abc'])).resolves.toBeUndefined();
    expect(heard).toEqual([['abc']]);
  });

  it('ignores a message it cannot read, and goes on hearing the next', async () => {
    const bus = new MemoryBus();
    const relay = new SessionRelay(bus);
    const heard: SessionsEnded[] = [];
    relay.onSessionsEnded((ended) => heard.push(ended));
    await bus.publish('sessions', '{not json');
    await relay.endSessions(['next']);
    expect(heard).toEqual([['next']]);
  });
});
