// Who has Roster open, and how live each screen is: what a tab reports (POST /api/presence) and
// what the server answers and streams (`presence` frames). Safe to import on the client.
import { z } from './zod';

/** How often a tab says it is still here, and sends what it measured meanwhile: the most it may. */
export const REPORT_EVERY_MS = 10_000;
/** A tab not heard of for this long has gone (a closed laptop, a lost network): two reports missed, and some. */
export const PRESENCE_TTL_MS = 25_000;
/** Delivery samples one report carries at most (a sample of a busy interval's events). */
export const MAX_DELIVERIES = 50;

/** How a tab's table stays live: the stream, or polling while the stream is down. */
export const TRANSPORTS = ['sse', 'polling'] as const;
export type Transport = (typeof TRANSPORTS)[number];

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
      .array(z.object({ eventId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), atMs: z.number().int().positive().max(Number.MAX_SAFE_INTEGER) }).strict())
      .max(MAX_DELIVERIES)
      .optional(),
  })
  .strict();
export type PresenceReport = z.infer<typeof presenceReportSchema>;

/** One person who has Roster open, in however many tabs, and the users they are editing. */
export type PersonHere = { id: number; name: string; editing: number[] };

/** The data of a `presence` frame: everyone here, by name. */
export type PresenceDTO = { people: PersonHere[] };

/** The answer to a report: everyone here, and the server's clock when it answered (ms since the epoch). */
export type PresenceAnswer = PresenceDTO & { serverTime: number };

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
