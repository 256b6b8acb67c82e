import 'server-only';
import type { SessionsEnded } from '@/lib/server/auth/session-relay';
import type { Bus } from '@/lib/server/events/bus';
import { byName, PRESENCE_TTL_MS, type PersonHere, type PresenceDTO, type Transport, versionOf } from '@/lib/shared/presence';
import type { InstanceStatus } from '@/lib/shared/status';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

// Who has Roster open, across instances. Each tab reports to whichever instance its request
// reaches; that instance owns it, and tells every instance (the bus: Redis when there are several)
// when the tab changes in a way anyone sees (it comes, goes, opens an editor), never for a report
// that only says "still here": 10,000 tabs are 1,000 such reports a second, which would cost every
// instance a message each. The owner forgets its tabs not heard of for PRESENCE_TTL_MS and says
// so; the others keep an instance's tabs while that instance is heard of (it tells its status
// every SWEEP_MS), so a stopped instance's tabs go with it. A new instance asks the others to
// repeat theirs. Nothing is stored: presence is what the last 25 seconds said.

export type Tab = {
  tab: string;
  person: { id: number; name: string };
  /** The session it reports with (its id, a hash): when that ends, the tab is gone. */
  session: string | null;
  editing: number | null;
  transport: Transport;
  /** The instance its last report reached: the one that counts it in its metrics. */
  instance: string;
  /** When that instance heard it (ms since the epoch, on that instance's clock). */
  seenAt: number;
  /** When its last delivery samples were taken (reports with samples are rate-limited), or null. */
  reportedAt: number | null;
};

/**
 * `from`: the instance that sent it. Tabs go in lists, so a sync answered or a sweep costs one
 * message and one recount. `instance` also says how many tabs its sender owns: an instance that
 * holds another count of them (a message lost in a Redis blip) asks that one (`to`) for its tabs
 * again; the answer is `complete`: every tab its sender owns, so what is not in it is gone.
 */
type Message = { from: string } & ({ kind: 'tabs'; tabs: Tab[]; complete?: boolean } | { kind: 'gone'; tabs: string[] } | { kind: 'sync'; to?: string } | { kind: 'instance'; status: InstanceStatus; owns: number });

/** What another instance shows or counts of a tab: a report that changes none of it stays with its owner. */
const seen = (tab: Tab) => `${tab.person.id}\n${tab.person.name}\n${tab.session ?? ''}\n${tab.editing ?? ''}\n${tab.transport}\n${tab.instance}`;

/** How often tabs not heard of are forgotten, and each instance tells the others how it is (the status page). */
const SWEEP_MS = 2_000;
/** An instance not heard of for this long has stopped (or cannot reach Redis): off the status page. */
const INSTANCE_TTL_MS = 10_000;

/** Counts `key` in or out; true when it comes or goes (its count leaves or reaches 0). */
function bump<K>(counts: Map<K, number>, key: K, change: 1 | -1): boolean {
  const count = (counts.get(key) ?? 0) + change;
  if (count > 0) counts.set(key, count);
  else counts.delete(key);
  return count === (change === 1 ? 1 : 0);
}

/** A person here: their tabs, the name the last of them came with, and the users they edit (with how many tabs each). */
type PersonTabs = { tabs: number; name: string; editing: Map<number, number> };

export class Presence {
  readonly #tabs = new Map<string, Tab>();
  readonly #instances = new Map<string, { status: InstanceStatus; seenAt: number }>();
  /** When each instance was last heard of, by any message: its tabs are kept while it is. */
  readonly #heardFrom = new Map<string, number>();
  /**
   * Each person here, kept as tabs come and go: how many tabs they have (a report checks that),
   * the name their last tab came with, and how many of their tabs edit each user. The list of who
   * is here is made from these (one entry a person), never by walking every tab: 10,000 tabs
   * arriving would otherwise each walk all the others.
   */
  readonly #persons = new Map<number, PersonTabs>();
  /** Tabs per owning instance: its status says how many it owns, and the others compare. */
  readonly #tabsPerInstance = new Map<string, number>();
  /** Everyone here, and the same as JSON to tell a change from none. */
  #people: PresenceDTO = { people: [], version: versionOf('[]') };
  #peopleJson = '[]';
  #sweep: ReturnType<typeof setInterval> | undefined;
  /** How this instance is, for the status page: told by start(). */
  #status: (() => InstanceStatus) | undefined;

  constructor(
    private readonly bus: Bus,
    /** This instance. */
    readonly instance: string,
    /** Called with everyone here whenever that changes (a join, a leave, an editor opened or closed). */
    private readonly changed: (presence: PresenceDTO) => void,
    private readonly now: () => number = Date.now,
  ) {
    bus.subscribe('presence', (message) => this.#heard(message));
  }

  /**
   * Starts forgetting silent tabs, asks the other instances for the tabs they hear, and tells them
   * how this one is (`status`) every SWEEP_MS.
   */
  start(status: () => InstanceStatus): void {
    this.#status = status;
    this.#sweep ??= setInterval(() => {
      this.sweep();
      this.#tell();
    }, SWEEP_MS);
    this.#sweep.unref?.();
    this.#publish({ kind: 'sync' });
    this.#tell();
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** A tab's report reached this instance. */
  report(tab: Omit<Tab, 'instance' | 'seenAt'>, leaving = false): void {
    if (leaving) {
      this.#publish({ kind: 'gone', tabs: [tab.tab] });
      return;
    }
    const heard: Tab = { ...tab, instance: this.instance, seenAt: this.now() };
    const known = this.#tabs.get(tab.tab);
    if (known && seen(known) === seen(heard)) {
      // Still here, as it was: only its owner (this instance) needs to know when.
      known.seenAt = heard.seenAt;
      known.reportedAt = heard.reportedAt;
      return;
    }
    this.#publish({ kind: 'tabs', tabs: [heard] });
  }

  /** The tab as last heard, on any instance. */
  tab(id: string): Tab | undefined {
    return this.#tabs.get(id);
  }

  /** Tabs of this person, on any instance. */
  tabsOf(personId: number): number {
    return this.#persons.get(personId)?.tabs ?? 0;
  }

  /** Everyone here now, by name, each once however many tabs they have. Not to be changed by the caller. */
  people(): PresenceDTO {
    return this.#people;
  }

  /** The tabs whose last report reached this instance, by transport (its metrics: summed over instances, each tab counts once). */
  transports(): Record<Transport, number> {
    const counts: Record<Transport, number> = { sse: 0, polling: 0 };
    for (const tab of this.#tabs.values()) if (tab.instance === this.instance) counts[tab.transport]++;
    return counts;
  }

  /** Every instance heard of lately, this one first. */
  instances(): InstanceStatus[] {
    const oldest = this.now() - INSTANCE_TTL_MS;
    const others = [...this.#instances.values()].filter(({ status, seenAt }) => seenAt >= oldest && status.id !== this.instance).map(({ status }) => status);
    return [...(this.#status ? [this.#status()] : []), ...others.sort((a, b) => a.id.localeCompare(b.id))];
  }

  /**
   * Sessions ended (signed out, ended from the sessions page or by an admin): their tabs are gone
   * now, as each instance hears it. Such a tab's own leaving report is refused, its session being over.
   */
  endSessions(ended: SessionsEnded): void {
    let forgot = false;
    for (const [id, tab] of this.#tabs) {
      if (tab.session === null || (ended !== 'all' && !ended.includes(tab.session))) continue;
      this.#forget(id);
      forgot = true;
    }
    if (forgot) this.#recount();
  }

  /**
   * Forgets this instance's tabs not heard of for PRESENCE_TTL_MS, telling the others, and the
   * tabs of instances not heard of for INSTANCE_TTL_MS.
   */
  sweep(): void {
    const now = this.now();
    const silent: string[] = [];
    let forgot = false;
    for (const [id, tab] of this.#tabs) {
      if (tab.instance === this.instance) {
        if (tab.seenAt < now - PRESENCE_TTL_MS) silent.push(id);
      } else if ((this.#heardFrom.get(tab.instance) ?? 0) < now - INSTANCE_TTL_MS) {
        forgot = this.#forget(id) || forgot;
      }
    }
    if (forgot) this.#recount();
    if (silent.length > 0) this.#publish({ kind: 'gone', tabs: silent });
  }

  #tell(): void {
    if (this.#status) this.#publish({ kind: 'instance', status: this.#status(), owns: this.#owned(this.instance) });
  }

  /** How many tabs this instance holds as `instance`'s: counted as they come and go, not by walking them every 2 s. */
  #owned(instance: string): number {
    return this.#tabsPerInstance.get(instance) ?? 0;
  }

  #publish(message: DistributiveOmit<Message, 'from'>): void {
    const raw = JSON.stringify({ ...message, from: this.instance });
    // Heard back from the bus like everyone else's; the bus logs an outage (then only this instance knows).
    this.bus.publish('presence', raw).catch(() => this.#heard(raw));
  }

  #heard(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    this.#heardFrom.set(message.from, this.now());
    if (message.kind === 'instance') {
      if (message.from !== this.instance && message.owns !== this.#owned(message.from)) this.#publish({ kind: 'sync', to: message.from });
      this.#instances.set(message.status.id, { status: message.status, seenAt: this.now() });
      for (const [id, { seenAt }] of this.#instances) if (seenAt < this.now() - INSTANCE_TTL_MS) this.#instances.delete(id);
      for (const [id, seenAt] of this.#heardFrom) if (seenAt < this.now() - INSTANCE_TTL_MS) this.#heardFrom.delete(id);
      return;
    }
    if (message.kind === 'sync') {
      if (message.from === this.instance || (message.to !== undefined && message.to !== this.instance)) return;
      const mine = [...this.#tabs.values()].filter((tab) => tab.instance === this.instance);
      this.#publish({ kind: 'tabs', tabs: mine, complete: true });
      return;
    }
    let changed = false;
    if (message.kind === 'gone') {
      for (const id of message.tabs) changed = this.#forget(id) || changed;
    } else {
      if (message.complete && message.from !== this.instance) {
        const told = new Set(message.tabs.map((tab) => tab.tab));
        for (const [id, tab] of this.#tabs) if (tab.instance === message.from && !told.has(id)) changed = this.#forget(id) || changed;
      }
      for (const tab of message.tabs) changed = this.#set(tab) || changed;
    }
    if (changed) this.#recount();
  }

  /** Keeps a tab as an instance told it; true when that changes what anyone sees. */
  #set(tab: Tab): boolean {
    const before = this.#tabs.get(tab.tab);
    // Set in place, never deleted first: a Map moves a re-added key to its end, and a sync answered
    // while walking the tabs would then meet it again, without end.
    this.#tabs.set(tab.tab, tab);
    const left = before ? this.#count(before, -1) : false;
    return this.#count(tab, 1) || left;
  }

  /** Drops a tab; true when that changes what anyone sees (false too when it was not here). */
  #forget(id: string): boolean {
    const tab = this.#tabs.get(id);
    if (!tab) return false;
    this.#tabs.delete(id);
    return this.#count(tab, -1);
  }

  /**
   * Counts a tab in (1) or out (-1) of its person's and its instance's counts; true when that
   * changes who is here (a person comes or goes, or is renamed) or whom they edit.
   */
  #count(tab: Tab, change: 1 | -1): boolean {
    bump(this.#tabsPerInstance, tab.instance, change);
    const { id, name } = tab.person;
    let person = this.#persons.get(id);
    const arrived = !person;
    if (!person) {
      person = { tabs: 0, name, editing: new Map() };
      this.#persons.set(id, person);
    }
    const renamed = change === 1 && person.name !== name;
    if (renamed) person.name = name;
    person.tabs += change;
    const edits = tab.editing !== null && bump(person.editing, tab.editing, change);
    if (person.tabs > 0) return arrived || renamed || edits;
    this.#persons.delete(id);
    return true;
  }

  /** Everyone here, sorted by name, from one entry a person; `changed` only when that differs from before. */
  #recount(): void {
    const people: PersonHere[] = [];
    for (const [id, { name, editing }] of this.#persons) people.push({ id, name, editing: [...editing.keys()].sort((a, b) => a - b) });
    people.sort(byName);
    const json = JSON.stringify(people);
    if (json === this.#peopleJson) return;
    this.#peopleJson = json;
    this.#people = { people, version: versionOf(json) };
    this.changed(this.#people);
  }
}
