import 'server-only';
import type { UserEvent } from '../dto';

// How events are kept in the Redis Stream that every instance shares. One stream gives one global
// order, ids every instance understands, and replay, in one structure (pub/sub alone would lose
// what is published while an instance is not listening).

/**
 * An entry: a user event, the `origin` that starts the stream (so that "nothing yet" is an id
 * too), or a `resync` marker appended after Redis was unreachable, telling every client to
 * refetch the list because an event may have been lost.
 */
export type StreamEntry = { eventId: number } & ({ kind: 'event'; event: UserEvent } | { kind: 'origin' | 'resync' });

/**
 * Stream ids are `<ms>-<seq>`; the append script keeps seq below 1000, so `ms * 1000 + seq` is a
 * number that keeps the order, fits the wire format the in-process hub uses (microsecond-like
 * ids from the clock) and stays a safe integer until the year 287,000.
 */
export function toEventId(streamId: string): number {
  const [ms, seq] = streamId.split('-');
  return Number(ms) * 1000 + Number(seq);
}

export function toStreamId(eventId: number): string {
  return `${Math.floor(eventId / 1000)}-${eventId % 1000}`;
}

/** Reads an entry from XRANGE/XREAD's `[id, [field, value, ...]]`; null for anything else. */
export function parseEntry(id: string, fields: string[]): StreamEntry | null {
  const eventId = toEventId(id);
  const [field, value] = fields;
  if (!Number.isSafeInteger(eventId)) return null;
  if (field === 'origin' || field === 'resync') return { eventId, kind: field };
  if (field !== 'event' || value === undefined) return null;
  try {
    return { eventId, kind: 'event', event: JSON.parse(value) as UserEvent };
  } catch {
    return null;
  }
}

/**
 * Appends one entry (ARGV[2] is the field: `event`, `resync`, or empty to only make sure the
 * stream exists) and returns the newest id. Ids come from Redis's clock, never from an instance's,
 * and always increase: the same millisecond counts up the sequence (to 999, then borrows the
 * next millisecond). A missing stream (new, or lost with a Redis restart) starts with `origin`.
 * The stream keeps the newest ARGV[1] entries exactly.
 */
export const APPEND_SCRIPT = `
local key, maxlen, field, value = KEYS[1], ARGV[1], ARGV[2], ARGV[3]
local function next_id()
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
  if not last then return string.format('%d-0', now) end
  local ms, seq = string.match(last[1], '(%d+)-(%d+)')
  ms, seq = tonumber(ms), tonumber(seq)
  if now > ms then return string.format('%d-0', now) end
  if seq < 999 then return string.format('%d-%d', ms, seq + 1) end
  return string.format('%d-0', ms + 1)
end
if redis.call('EXISTS', key) == 0 then
  redis.call('XADD', key, 'MAXLEN', maxlen, next_id(), 'origin', '1')
end
if field == '' then
  return redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1][1]
end
return redis.call('XADD', key, 'MAXLEN', maxlen, next_id(), field, value)
`;
