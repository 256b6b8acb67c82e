import { describe, expect, it } from 'vitest';
import { MemoryBus } from '@/lib/server/events/bus';
import { Presence } from '@/lib/server/presence/registry';
import type { PresenceDTO } from '@/lib/shared/presence';
import type { InstanceStatus } from '@/lib/shared/status';

const ada = { id: 1, name: 'Ada Lovelace' };
const grace = { id: 2, name: 'Grace Hopper' };

/** Two instances on one bus, on a clock the test moves. */
function setup() {
  const bus = new MemoryBus();
  let now = 1_000_000;
  const heard: PresenceDTO[][] = [[], []];
  const status = (id: string) => (): InstanceStatus => ({ id, startedAt: '', uptimeSeconds: 0, streams: 0, dashboards: { sse: 0, polling: 0 }, eventsPerSecond: 0, delivery: { p50: null, p99: null, samples: 0 }, redis: 'up', lastEventId: 0 });
  const a = new Presence(bus, 'a', (p) => heard[0]!.push(p), () => now);
  const b = new Presence(bus, 'b', (p) => heard[1]!.push(p), () => now);
  a.start(status('a'));
  b.start(status('b'));
  return { a, b, heard, tick: (ms: number) => (now += ms), close: () => [a, b].forEach((p) => p.close()) };
}

/** A tab's report; each person signed in with one session ("s1" for Ada) unless `session` says. */
const tab = (id: string, person: { id: number; name: string }, editing: number | null = null, session = `s${person.id}`) => ({
  tab: id,
  person,
  session,
  editing,
  transport: 'sse' as const,
  reportedAt: null,
});

describe('Presence (the registry every instance keeps)', () => {
  it('tells every instance of a change once: a person with two tabs is one, editors are named, reports that change nothing are silent', () => {
    const { a, b, heard, close } = setup();
    a.report(tab('t1', ada));
    b.report(tab('t2', ada));
    a.report(tab('t1', ada)); // a heartbeat: nothing changes
    b.report(tab('t3', grace, 7));
    expect(heard[1]).toEqual([
      { people: [{ ...ada, editing: [] }] },
      { people: [{ ...ada, editing: [] }, { ...grace, editing: [7] }] },
    ]);
    expect(heard[0]).toEqual(heard[1]);
    // Each instance counts the tabs whose last report reached it: summed, each tab once.
    expect(a.transports()).toEqual({ sse: 1, polling: 0 });
    expect(b.transports()).toEqual({ sse: 2, polling: 0 });
    expect(a.tabsOf(ada.id)).toBe(2);
    b.report(tab('t3', grace), true);
    expect([a.tabsOf(grace.id), b.tabsOf(ada.id)]).toEqual([0, 2]);
    expect(b.people()).toEqual({ people: [{ ...ada, editing: [] }] });
    expect(b.instances().map((instance) => instance.id)).toEqual(['b', 'a']);
    close();
  });

  it('forgets a tab not heard of for 25 s, and not before', () => {
    const { a, b, tick, close } = setup();
    a.report(tab('t1', ada));
    tick(20_000);
    b.report(tab('t2', grace));
    tick(5_000);
    a.sweep();
    expect(a.people().people.map((p) => p.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    tick(1);
    a.sweep();
    expect(a.people().people.map((p) => p.name)).toEqual(['Grace Hopper']);
    close();
  });

  it('an ended session takes its tabs off who is here on every instance at once; the person stays while another session of theirs is here', () => {
    const { a, b, heard, close } = setup();
    a.report(tab('t1', ada));
    b.report(tab('t2', ada, 7, 'ada-phone'));
    b.report(tab('t3', grace));
    a.endSessions(['ada-phone']);
    b.endSessions(['ada-phone']);
    expect(heard[0]?.at(-1)).toEqual({ people: [{ ...ada, editing: [] }, { ...grace, editing: [] }] });
    a.endSessions(['s1']);
    b.endSessions(['s1']);
    expect(a.people()).toEqual({ people: [{ ...grace, editing: [] }] });
    expect(b.people()).toEqual(a.people());
    a.endSessions('all');
    expect(a.people()).toEqual({ people: [] });
    close();
  });

  it('a new instance hears the tabs the others hold', () => {
    const bus = new MemoryBus();
    const a = new Presence(bus, 'a', () => undefined);
    a.report(tab('t1', ada));
    const late = new Presence(bus, 'late', () => undefined);
    expect(late.people()).toEqual({ people: [] });
    late.start(() => ({ id: 'late' }) as InstanceStatus);
    expect(late.people()).toEqual({ people: [{ ...ada, editing: [] }] });
    [a, late].forEach((p) => p.close());
  });
});
