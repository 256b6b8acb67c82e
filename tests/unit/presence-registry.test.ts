import { describe, expect, it, vi } from 'vitest';
import { type Bus, MemoryBus } from '@/lib/server/events/bus';
import { Presence } from '@/lib/server/presence/registry';
import { applyPresence, type PresenceDTO, presenceChange, versionOf } from '@/lib/shared/presence';
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
    expect(heard[1]?.map((p) => p.people)).toEqual([[{ ...ada, editing: [] }], [{ ...ada, editing: [] }, { ...grace, editing: [7] }]]);
    // Each list is named by a version, the same on every instance, another for another list.
    expect(new Set(heard[1]?.map((p) => p.version)).size).toBe(2);
    expect(heard[0]).toEqual(heard[1]);
    // Each instance counts the tabs whose last report reached it: summed, each tab once.
    expect(a.transports()).toEqual({ sse: 1, polling: 0 });
    expect(b.transports()).toEqual({ sse: 2, polling: 0 });
    expect(a.tabsOf(ada.id)).toBe(2);
    b.report(tab('t3', grace), true);
    expect([a.tabsOf(grace.id), b.tabsOf(ada.id)]).toEqual([0, 2]);
    expect(b.people().people).toEqual([{ ...ada, editing: [] }]);
    expect(b.instances().map((instance) => instance.id)).toEqual(['b', 'a']);
    close();
  });

  it('keeps each person as their tabs come, change and go: whom any of their tabs edits, the name the last came with', () => {
    const { a, b, heard, close } = setup();
    a.report(tab('t1', ada, 7));
    b.report(tab('t2', ada, 7));
    b.report(tab('t3', ada, 9));
    expect(b.people().people).toEqual([{ ...ada, editing: [7, 9] }]);
    // One of the two tabs on user 7 closes its editor: Ada still edits 7.
    a.report(tab('t1', ada));
    expect(a.people().people).toEqual([{ ...ada, editing: [7, 9] }]);
    b.report(tab('t2', ada), true);
    expect(a.people().people).toEqual([{ ...ada, editing: [9] }]);
    // Renamed meanwhile: her next report comes with the new name, and every instance shows it.
    a.report(tab('t1', { ...ada, name: 'Ada King' }));
    expect([a.people().people, b.people().people]).toEqual([[{ id: ada.id, name: 'Ada King', editing: [9] }], [{ id: ada.id, name: 'Ada King', editing: [9] }]]);
    expect(a.tabsOf(ada.id)).toBe(2);
    // Her last tabs go: she is gone, and comes back afresh with nothing edited.
    b.report(tab('t3', ada), true);
    a.report(tab('t1', ada), true);
    expect([a.people().people, a.tabsOf(ada.id)]).toEqual([[], 0]);
    a.report(tab('t4', ada));
    expect(b.people().people).toEqual([{ ...ada, editing: [] }]);
    // Every list told was different from the one before it: nothing was told twice.
    const versions = heard[1]!.map((p) => p.version);
    expect(versions.every((version, i) => i === 0 || version !== versions[i - 1])).toBe(true);
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

  it('a report that only says "still here" stays with its owner, who forgets the tab when it falls silent; a stopped instance\'s tabs go with it', () => {
    // Real intervals on a fake clock: each instance sweeps and tells its status every 2 s.
    vi.useFakeTimers();
    try {
      const bus = new MemoryBus();
      const messages: { kind: string; tabs?: unknown[]; from: string; complete?: boolean }[] = [];
      bus.subscribe('presence', (message) => messages.push(JSON.parse(message) as (typeof messages)[number]));
      const status = (id: string) => () => ({ id }) as InstanceStatus;
      const a = new Presence(bus, 'a', () => undefined);
      const b = new Presence(bus, 'b', () => undefined);
      a.start(status('a'));
      b.start(status('b'));
      // What a report or a sweep says (not the answers to the instances' syncs as they start).
      const tabMessages = () => messages.filter((m) => (m.kind === 'tabs' && !m.complete) || m.kind === 'gone');
      a.report(tab('t1', ada));
      b.report(tab('t2', grace));
      expect(tabMessages()).toHaveLength(2);
      for (let i = 0; i < 6; i++) {
        vi.advanceTimersByTime(5_000);
        a.report(tab('t1', ada)); // heartbeats: nothing anyone sees changes
        b.report(tab('t2', grace));
      }
      expect(tabMessages()).toHaveLength(2);
      // Still here on b after 30 s, though b heard none of them: b keeps a's tabs while a is heard of.
      expect(b.people().people.map((p) => p.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
      // An editor opened is news for everyone.
      a.report(tab('t1', ada, 9));
      expect(b.people().people.find((p) => p.id === ada.id)?.editing).toEqual([9]);
      // a stops without a word: about 10 s later, b has forgotten its tabs and kept its own.
      a.close();
      b.report(tab('t2', grace));
      vi.advanceTimersByTime(12_000);
      b.report(tab('t2', grace));
      expect(b.people().people.map((p) => p.name)).toEqual(['Grace Hopper']);
      // b's own tab falls silent: b says it is gone, once, for every instance.
      const before = tabMessages().length;
      vi.advanceTimersByTime(28_000);
      expect(tabMessages().slice(before)).toEqual([{ kind: 'gone', tabs: ['t2'], from: 'b' }]);
      expect(b.people().people).toEqual([]);
      b.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('an instance that missed a message (a Redis blip) notices by the owner\'s count and asks for its tabs again', () => {
    vi.useFakeTimers();
    try {
      const bus = new MemoryBus();
      let dropping = false;
      // b's side of the bus: it does not hear what is published while `dropping` (its Redis connection blipped).
      const lossy: Bus = {
        publish: (channel, message) => bus.publish(channel, message),
        subscribe: (channel, listener) => bus.subscribe(channel, (message) => (dropping ? undefined : listener(message))),
        degraded: false,
        start: async () => undefined,
        close: () => undefined,
      };
      const status = (id: string) => () => ({ id }) as InstanceStatus;
      const a = new Presence(bus, 'a', () => undefined);
      const b = new Presence(lossy, 'b', () => undefined);
      a.start(status('a'));
      b.start(status('b'));
      dropping = true;
      a.report(tab('t1', ada)); // b misses the join
      dropping = false;
      expect(b.people().people).toEqual([]);
      vi.advanceTimersByTime(2_000); // a tells its status: one tab; b holds none of a's
      expect(b.people().people.map((p) => p.name)).toEqual(['Ada Lovelace']);
      dropping = true;
      a.report(tab('t1', ada), true); // b misses the leave
      dropping = false;
      expect(b.people().people.map((p) => p.name)).toEqual(['Ada Lovelace']);
      vi.advanceTimersByTime(2_000); // a owns none; b asks, and a's answer is complete
      expect(b.people().people).toEqual([]);
      [a, b].forEach((p) => p.close());
    } finally {
      vi.useRealTimers();
    }
  });

  it('frames say what changed since the last one, and a page that missed one knows', () => {
    const { a, heard, close } = setup();
    a.report(tab('t1', ada));
    a.report(tab('t2', grace, 7));
    a.report(tab('t1', ada), true);
    const lists = [{ people: [], version: versionOf('[]') }, ...heard[0]!];
    const frames = lists.slice(1).map((list, i) => presenceChange(lists[i]!, list));
    expect(frames.map(({ set, gone }) => ({ set: set.map((p) => p.name), gone }))).toEqual([
      { set: ['Ada Lovelace'], gone: [] },
      { set: ['Grace Hopper'], gone: [] },
      { set: [], gone: [ada.id] },
    ]);
    // Applied in order, they make each list; one skipped, the next does not apply.
    let shown: PresenceDTO | null = lists[0]!;
    for (const [i, frame] of frames.entries()) {
      shown = applyPresence(shown!, frame);
      expect(shown).toEqual(lists[i + 1]);
    }
    expect(applyPresence(lists[1]!, frames[2]!)).toBeNull();
    close();
  });

  it('an ended session takes its tabs off who is here on every instance at once; the person stays while another session of theirs is here', () => {
    const { a, b, heard, close } = setup();
    a.report(tab('t1', ada));
    b.report(tab('t2', ada, 7, 'ada-phone'));
    b.report(tab('t3', grace));
    a.endSessions(['ada-phone']);
    b.endSessions(['ada-phone']);
    expect(heard[0]?.at(-1)?.people).toEqual([{ ...ada, editing: [] }, { ...grace, editing: [] }]);
    a.endSessions(['s1']);
    b.endSessions(['s1']);
    expect(a.people().people).toEqual([{ ...grace, editing: [] }]);
    expect(b.people()).toEqual(a.people());
    a.endSessions('all');
    expect(a.people().people).toEqual([]);
    close();
  });

  it('a new instance hears the tabs the others hold', () => {
    const bus = new MemoryBus();
    const a = new Presence(bus, 'a', () => undefined);
    a.report(tab('t1', ada));
    const late = new Presence(bus, 'late', () => undefined);
    expect(late.people().people).toEqual([]);
    late.start(() => ({ id: 'late' }) as InstanceStatus);
    expect(late.people().people).toEqual([{ ...ada, editing: [] }]);
    [a, late].forEach((p) => p.close());
  });
});
