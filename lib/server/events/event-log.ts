import 'server-only';
import type { Role } from '@/lib/shared/roles';
import { db, provider, type Tx } from '@/lib/server/db';
import type { HubEvent, ImportEvent, UserDTO, UserEvent } from '@/lib/shared/dto';
import type { ImportProgress } from '@/lib/shared/jobs';

// The event log: the Event table, written in the same transaction as the change it records
// (lib/server/users), read by every instance in id order (log-hub.ts). It is also the audit trail.
//
// Ids follow commit order. SQLite has one writer at a time. On PostgreSQL a sequence alone does
// not: two transactions may take ids 5 and 6 and commit 6 first, and a reader that saw 6 would
// skip 5 for good. So every write takes one transaction-level advisory lock before it writes:
// the next write (and its id) waits until this one has committed, so when a reader sees an id,
// every smaller id is committed and visible too (ids a rolled-back transaction took are gaps,
// never read: readers ask for `id > cursor`, not for the next number).

/** Arbitrary, Roster's own: "Rost" in ASCII. */
const EVENT_ORDER_LOCK = 0x526f7374;

/** Serialises this transaction's writes after every write that took it before (PostgreSQL). */
export async function lockEventOrder(tx: Tx): Promise<void> {
  // ::text: Prisma cannot read the function's `void` result.
  if (provider === 'postgresql') await tx.$queryRaw`SELECT pg_advisory_xact_lock(${EVENT_ORDER_LOCK})::text`;
}

/**
 * Who made a change, for the log: a principal (lib/server/auth), never a secret, and the request;
 * and what they may do, which the data layer checks a change against (lib/shared/roles.ts).
 */
export type Actor = {
  principal: string;
  requestId: string;
  role: Role;
  /** The writer's browser session, if any: its streams get the change before the answer (read-your-writes). */
  sessionId?: string | null;
};

/** Records `event` in the transaction that made the change; returns its id. */
export async function appendEvent(tx: Tx, event: UserEvent, actor: Actor): Promise<number> {
  const row = await tx.event.create({
    data: {
      type: event.type,
      userId: event.user.id,
      data: JSON.stringify(event.user),
      previous: event.type === 'user_updated' ? JSON.stringify(event.previous) : null,
      principal: actor.principal,
      requestId: actor.requestId,
    },
    select: { id: true },
  });
  return row.id;
}

type EventRow = { id: number; type: string; data: string; previous: string | null; createdAt?: Date };

/**
 * The user as their newest deletion recorded them, while the log still holds it
 * (EVENT_RETENTION_DAYS); null when it holds none. One step of the (userId, id) index.
 */
export async function lastDeletion(tx: Tx, userId: number): Promise<UserDTO | null> {
  const row = await tx.event.findFirst({ where: { userId, type: 'user_deleted' }, orderBy: { id: 'desc' }, select: { data: true } });
  return row ? parse(row.data) : null;
}

/** An event as read from the log, with when it was committed (ms since the epoch): what delivery is measured from. */
export type LoggedEvent = HubEvent & { committedAt?: number };

/** Users no event names: an import's progress is about many. */
export const NO_USER = 0;

/** A user as an event recorded it; events from before roles were kept say none (what every user then had). */
const parse = (json: string): UserDTO => ({ role: 'none', ...(JSON.parse(json) as Omit<UserDTO, 'role'>) });

/** The event a row records, as the hub and the stream carry it. */
export function toHubEvent(row: EventRow): HubEvent {
  if (row.type === 'users_imported') return { type: 'users_imported', ...(JSON.parse(row.data) as ImportProgress), upToEventId: row.id, eventId: row.id };
  const user = parse(row.data);
  if (row.type === 'user_updated') return { type: 'user_updated', user, previous: parse(row.previous ?? row.data), eventId: row.id };
  if (row.type === 'user_deleted') return { type: 'user_deleted', id: user.id, user, eventId: row.id };
  if (row.type === 'user_restored') return { type: 'user_restored', user, eventId: row.id };
  if (row.type === 'user_invited') return { type: 'user_invited', user, eventId: row.id };
  if (row.type === 'user_sessions_ended') return { type: 'user_sessions_ended', user, eventId: row.id };
  return { type: 'user_created', user, eventId: row.id };
}

const ROW = { id: true, type: true, data: true, previous: true, createdAt: true } as const;

const logged = (row: EventRow): LoggedEvent => ({ ...toHubEvent(row), committedAt: row.createdAt?.getTime() });

/**
 * What the stream carries: every event but an import's rows (jobId set), which reach the
 * dashboards through the import's progress events instead (one a second at most).
 */
const STREAMED = { jobId: null };

/**
 * Records an import's progress (`listed`: the last one, which the activity shows) in the
 * transaction of the batch it follows; returns its id.
 */
export async function appendImportProgress(tx: Tx, progress: Omit<ImportProgress, 'upToEventId'>, actor: Pick<Actor, 'principal' | 'requestId'>, listed: boolean): Promise<number> {
  const event: Omit<ImportEvent, 'upToEventId'> = { type: 'users_imported', ...progress };
  const row = await tx.event.create({
    data: { type: event.type, userId: NO_USER, data: JSON.stringify(progress), principal: actor.principal, requestId: actor.requestId, listed },
    select: { id: true },
  });
  return row.id;
}

/** What the hub reads: the log in id order. */
export type EventLog = {
  /** Up to `limit` events after `after`, oldest first. */
  after(after: number, limit: number): Promise<LoggedEvent[]>;
  /** The newest `limit` events, oldest first. */
  newest(limit: number): Promise<LoggedEvent[]>;
  /** The oldest id still kept (pruning removes the oldest first), or null when the log is empty. */
  oldestId(): Promise<number | null>;
};

export const databaseLog: EventLog = {
  async after(after, limit) {
    const rows = await db.event.findMany({ where: { id: { gt: after }, ...STREAMED }, orderBy: { id: 'asc' }, take: limit, select: ROW });
    return rows.map(logged);
  },
  async newest(limit) {
    if (limit === 0) return [];
    const rows = await db.event.findMany({ where: STREAMED, orderBy: { id: 'desc' }, take: limit, select: ROW });
    return rows.reverse().map(logged);
  },
  async oldestId() {
    const row = await db.event.findFirst({ orderBy: { id: 'asc' }, select: { id: true } });
    return row?.id ?? null;
  },
};

/** The newest event id committed, as seen by `tx` (0 before the first). */
export async function newestEventId(tx: Tx): Promise<number> {
  const row = await tx.event.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
  return row?.id ?? 0;
}

const PRUNE_BATCH = 1_000;

/** Deletes events older than `before`, oldest first, a batch at a time; returns how many. */
export async function pruneEvents(before: Date): Promise<number> {
  let pruned = 0;
  for (;;) {
    const batch = await db.event.findMany({ where: { createdAt: { lt: before } }, orderBy: { id: 'asc' }, take: PRUNE_BATCH, select: { id: true } });
    if (batch.length === 0) return pruned;
    const { count } = await db.event.deleteMany({ where: { id: { in: batch.map((row) => row.id) } } });
    pruned += count;
  }
}
