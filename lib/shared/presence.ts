// Who has Roster open, and how live each screen is: what a tab reports (POST /api/presence) and
// what the server answers and streams (`presence` frames). Safe to import on the client.
import { z } from './zod';

/**
 * How often a tab says it is still here, and sends what it measured meanwhile. Not more often: a
 * lost network shows only as silence, so this (with some slack) is how long a gone tab may seem
 * here, and 10,000 open pages send 10,000 / 20 s = 500 a second (docs/benchmarks.md).
 */
export const REPORT_EVERY_MS = 20_000;
/** A tab not heard of for this long has gone (a closed laptop, a lost network): a report missed, and some. */
export const PRESENCE_TTL_MS = 25_000;
/** Delivery samples one report carries at most (a sample of a busy interval's events). */
export const MAX_DELIVERIES = 50;

/** How a tab's table stays live: the stream, or polling while the stream is down. */
export const TRANSPORTS = ['sse', 'polling'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** One delivery sample: an event, and when the tab applied it (ms since the epoch, on the server's clock). */
export type DeliverySample = { eventId: number; atMs: number };

const wholeAboveZero = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n > 0;

/**
 * A sample exactly: `eventId` and `atMs`, whole numbers above 0, nothing else. One check over a
 * report's list instead of a zod object per sample: 500 reports a second carry up to 50 samples
 * each, and a schema per sample made ~36 KB of garbage a report and most of its CPU
 * (docs/benchmarks.md, "The reports' memory, taken apart").
 */
function isSample(value: unknown): value is DeliverySample {
  if (typeof value !== 'object' || value === null) return false;
  let keys = 0;
  for (const key in value) {
    if (key !== 'eventId' && key !== 'atMs') return false;
    keys++;
  }
  const sample = value as DeliverySample;
  return keys === 2 && wholeAboveZero(sample.eventId) && wholeAboveZero(sample.atMs);
}

/**
 * One tab's report. `deliveries`: events this tab applied since its last report, each with the
 * moment it was applied on the **server's** clock (ms since the epoch): the tab's monotonic clock
 * plus its offset from the server's, which it measures from the answers' `serverTime` as NTP does
 * (lib/browser/presence.ts). The server subtracts each event's commit time (lib/server/delivery.ts).
 */
export const presenceReportSchema = z
  .object({
    tab: z.uuid({ message: 'tab must be a UUID' }),
    transport: z.enum(TRANSPORTS),
    /** The user whose editor this tab has open, if any. */
    editing: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).nullable(),
    /** The tab is closing: forget it now rather than after PRESENCE_TTL_MS. */
    leaving: z.boolean().optional(),
    deliveries: z
      .custom<DeliverySample[]>((value) => Array.isArray(value) && value.length <= MAX_DELIVERIES && value.every(isSample), {
        message: `deliveries must be at most ${MAX_DELIVERIES} samples, each exactly { eventId, atMs }, whole numbers above 0`,
      })
      .optional(),
    /** The `version` of who is here that the tab shows: the answer leaves the people out when it is current. */
    seen: z.string().regex(/^[0-9a-f]{1,16}$/u, { message: 'seen must be a version from an answer or a frame' }).optional(),
  })
  .strict();
export type PresenceReport = z.infer<typeof presenceReportSchema>;

/** One person who has Roster open, in however many tabs, and the users they are editing. */
export type PersonHere = { id: number; name: string; editing: number[] };

/**
 * Everyone here, by name. `version` names that list (the same on every instance), so a report's
 * answer need not repeat a list the tab already shows, and a frame can say what changed since one.
 */
export type PresenceDTO = { people: PersonHere[]; version: string };

/**
 * The data of a `presence` frame: who came or changed (`set`: whom they edit) and who left
 * (`gone`: ids) since the list named `base`, making the list named `version`. Small whatever the
 * crowd: a join is one person, not the 200 already here, to each of 10,000 streams.
 */
export type PresenceFrame = { base: string; version: string; set: PersonHere[]; gone: number[] };

/** The order people are shown in: by name, then id. */
export const byName = (a: PersonHere, b: PersonHere): number => a.name.localeCompare(b.name) || a.id - b.id;

/** A name for a list of people, as JSON, the same on every instance: FNV-1a, 32 bits, in hex. */
export function versionOf(json: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < json.length; i++) hash = Math.imul(hash ^ json.charCodeAt(i), 0x01000193);
  return (hash >>> 0).toString(16);
}

/** What changed from `from` to `to`, as a frame. */
export function presenceChange(from: PresenceDTO, to: PresenceDTO): PresenceFrame {
  const before = new Map(from.people.map((person) => [person.id, JSON.stringify(person)]));
  const after = new Set(to.people.map((person) => person.id));
  return {
    base: from.version,
    version: to.version,
    set: to.people.filter((person) => before.get(person.id) !== JSON.stringify(person)),
    gone: from.people.filter((person) => !after.has(person.id)).map((person) => person.id),
  };
}

/** The list a frame makes of `current`; null when `current` is not the list it was made from (a frame was missed). */
export function applyPresence(current: PresenceDTO, frame: PresenceFrame): PresenceDTO | null {
  if (current.version !== frame.base) return null;
  const changed = new Set([...frame.gone, ...frame.set.map((person) => person.id)]);
  const people = [...current.people.filter((person) => !changed.has(person.id)), ...frame.set].sort(byName);
  return { people, version: frame.version };
}

/**
 * The answer to a report: the server's clock when it answered (ms since the epoch), and who is
 * here: the list only when the report's `seen` was not its version (200 people are ~12 KB, a
 * second's worth of reports 6 MB).
 */
export type PresenceAnswer = { serverTime: number; version: string; people?: PersonHere[] };

/** "Ada Lovelace" → "AL"; one word → its first two letters. */
export function initials(name: string): string {
  const words = name.trim().split(/\s+/u).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words.at(-1)].map((word) => [...(word ?? '')][0] ?? '') : [...(words[0] ?? '?')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** "Ada" from "Ada Lovelace": how a marker names someone. */
export const firstName = (name: string): string => name.trim().split(/\s+/u)[0] ?? name;

/** "Ada is", "Ada and Grace are": who is doing something, as a sentence begins. */
export function whoIs(names: string[]): string {
  return `${new Intl.ListFormat('en', { type: 'conjunction' }).format(names)} ${names.length === 1 ? 'is' : 'are'}`;
}
