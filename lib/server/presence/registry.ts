import 'server-only';
import type { SessionsEnded } from '@/lib/server/auth/session-relay';
import type { Bus } from '@/lib/server/events/bus';
import { PRESENCE_TTL_MS, type PersonHere, type PresenceDTO, type Transport } from '@/lib/shared/presence';
import type { InstanceStatus } from '@/lib/shared/status';

// Who has Roster open, across instances. Each tab reports to whichever instance its request
// reaches; that instance tells every instance (the bus: Redis when there are several) what the tab
// now is, and every instance keeps the same map of tabs and forgets a tab not heard of for
// PRESENCE_TTL_MS. A new instance asks the others to repeat theirs. Nothing is stored: presence
// is what the last 25 seconds said.

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

type Message = { kind: 'tab'; tab: Tab } | { kind: 'gone'; tab: string } | { kind: 'sync'; from: string } | { kind: 'instance'; status: InstanceStatus };

/** How often tabs not heard of are forgotten, and each instance tells the others how it is (the status page). */
const SWEEP_MS = 2_000;
/** An instance not heard of for this long has stopped (or cannot reach Redis): off the status page. */
const INSTANCE_TTL_MS = 10_000;

export class Presence {
  readonly #tabs = new Map<string, Tab>();
  readonly #instances = new Map<string, { status: InstanceStatus; seenAt: number }>();
  /** Tabs per person: a report checks a person's tabs without walking every tab. */
  readonly #tabsPerPerson = new Map<number, number>();
  /** Everyone here, and the same as JSON to tell a change from none. */
  #people: PresenceDTO = { people: [] };
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
    this.#publish({ kind: 'sync', from: this.instance });
    this.#tell();
  }

  close(): void {
    clearInterval(this.#sweep);
    this.#sweep = undefined;
  }

  /** A tab's report reached this instance. */
  report(tab: Omit<Tab, 'instance' | 'seenAt'>, leaving = false): void {
    if (leaving) {
      this.#publish({ kind: 'gone', tab: tab.tab });
      return;
    }
    this.#publish({ kind: 'tab', tab: { ...tab, instance: this.instance, seenAt: this.now() } });
  }

  /** The tab as last heard, on any instance. */
  tab(id: string): Tab | undefined {
    return this.#tabs.get(id);
  }

  /** Tabs of this person, on any instance. */
  tabsOf(personId: number): number {
    return this.#tabsPerPerson.get(personId) ?? 0;
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

  /** Forgets tabs not heard of for PRESENCE_TTL_MS. */
  sweep(): void {
    const oldest = this.now() - PRESENCE_TTL_MS;
    let forgot = false;
    for (const [id, tab] of this.#tabs) {
      if (tab.seenAt >= oldest) continue;
      this.#forget(id);
      forgot = true;
    }
    if (forgot) this.#recount();
  }

  #tell(): void {
    if (this.#status) this.#publish({ kind: 'instance', status: this.#status() });
  }

  #publish(message: Message): void {
    // Heard back from the bus like everyone else's; the bus logs an outage (then only this instance knows).
    this.bus.publish('presence', JSON.stringify(message)).catch(() => this.#heard(JSON.stringify(message)));
  }

  #heard(raw: string): void {
    let message: Message;
    try {
      message = JSON.parse(raw) as Message;
    } catch {
      return;
    }
    if (message.kind === 'instance') {
      this.#instances.set(message.status.id, { status: message.status, seenAt: this.now() });
      for (const [id, { seenAt }] of this.#instances) if (seenAt < this.now() - INSTANCE_TTL_MS) this.#instances.delete(id);
      return;
    }
    if (message.kind === 'sync') {
      if (message.from === this.instance) return;
      for (const tab of this.#tabs.values()) if (tab.instance === this.instance) this.#publish({ kind: 'tab', tab });
      return;
    }
    if (message.kind === 'gone') {
      if (this.#forget(message.tab)) this.#recount();
      return;
    }
    const before = this.#tabs.get(message.tab.tab);
    // Set in place, never deleted first: a Map moves a re-added key to its end, and a sync answered
    // while walking the tabs would then meet it again, without end.
    this.#tabs.set(message.tab.tab, message.tab);
    if (before?.person.id !== message.tab.person.id) {
      if (before) this.#count(before.person.id, -1);
      this.#count(message.tab.person.id, 1);
    }
    // A heartbeat that changes nothing anyone sees (the same person, name and editor) costs no recount:
    // a recount walks every tab, and every open page reports every 10 s.
    const seen = (tab: Tab) => `${tab.person.id}\n${tab.person.name}\n${tab.editing ?? ''}`;
    if (!before || seen(before) !== seen(message.tab)) this.#recount();
  }

  /** Drops a tab; false when it was not here. */
  #forget(id: string): boolean {
    const tab = this.#tabs.get(id);
    if (!tab) return false;
    this.#tabs.delete(id);
    this.#count(tab.person.id, -1);
    return true;
  }

  #count(personId: number, change: 1 | -1): void {
    const count = this.tabsOf(personId) + change;
    if (count > 0) this.#tabsPerPerson.set(personId, count);
    else this.#tabsPerPerson.delete(personId);
  }

  /** Everyone here, sorted by name; `changed` only when that differs from before (not on every report). */
  #recount(): void {
    const byPerson = new Map<number, PersonHere>();
    for (const tab of this.#tabs.values()) {
      const person = byPerson.get(tab.person.id) ?? { id: tab.person.id, name: tab.person.name, editing: [] };
      if (tab.editing !== null && !person.editing.includes(tab.editing)) person.editing.push(tab.editing);
      byPerson.set(tab.person.id, person);
    }
    const people = [...byPerson.values()].map((person) => ({ ...person, editing: person.editing.sort((a, b) => a - b) }));
    people.sort((a, b) => a.name.localeCompare(b.name) || a.id - b.id);
    const json = JSON.stringify(people);
    if (json === this.#peopleJson) return;
    this.#peopleJson = json;
    this.#people = { people };
    this.changed(this.#people);
  }
}
