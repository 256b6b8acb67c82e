// What crosses the wire and reaches client components: plain JSON, never Prisma rows. The data
// layer, the API, the stream and the browser all speak these types. Safe to import on the client.
import type { ImportProgress, JobDTO, JobKind } from './jobs';
import type { UserField, UserInput } from './validation';

/** A user: its fields (the one schema's, lib/shared/validation.ts; all present once stored) and what the data layer keeps. */
export type UserDTO = Required<UserInput> & {
  id: number;
  /** ISO 8601, UTC */
  createdAt: string;
  /** ISO 8601, UTC */
  updatedAt: string;
  /** Raised by every edit; an edit must name the version it saw (If-Match on the API). */
  version: number;
};

/**
 * A change to a user. Each carries enough for a client to decide what it does to any view of the
 * directory without asking: the user after the change, and (edits, deletes) what it was before.
 */
export type UserEvent =
  | { type: 'user_created'; user: UserDTO }
  | { type: 'user_updated'; user: UserDTO; previous: UserDTO }
  | { type: 'user_deleted'; id: number; user: UserDTO }
  // A deleted user back from the log, as they were (same id and created time): applied like a create.
  | { type: 'user_restored'; user: UserDTO }
  // Changes of a person's access that leave their entry as it is: an admin sent them an invite, or
  // ended every session they had. In the log (the audit trail) and on the stream like the rest.
  | { type: 'user_invited'; user: UserDTO }
  | { type: 'user_sessions_ended'; user: UserDTO };

/**
 * An import's progress (lib/shared/jobs.ts): the stream carries these instead of one event per
 * imported row, so a dashboard refetches its view at most once a second while an import runs.
 */
export type ImportEvent = { type: 'users_imported' } & ImportProgress;

/** An event once the hub has given it its place in the global order. */
export type HubEvent = (UserEvent | ImportEvent) & { eventId: number };

/** The payload of the first event on every stream. */
export type ConnectedPayload = { lastEventId: number };

/** One page of a view of the directory, as of an event id (GET /api/users, the dashboard). */
export type PageDTO = {
  users: UserDTO[];
  /** Users in the whole view (every page): exact when totalIsExact, else "at least this many" (TOTAL_CAP). */
  total: number;
  /** False when the view has more than TOTAL_CAP users (lib/shared/directory/total.ts): total is then TOTAL_CAP. */
  totalIsExact: boolean;
  nextCursor: string | null;
  prevCursor: string | null;
  /** Every event up to this id is reflected in the page. */
  lastEventId: number;
};

/** One field an edit changed. */
export type FieldChange = { field: UserField; from: UserInput[UserField]; to: UserInput[UserField] };

/** One change on record (GET /api/activity, /activity): when, who, and what. */
export type ActivityDTO = {
  /** The event's id: the activity's order, and its cursor. */
  id: number;
  /** ISO 8601, UTC */
  at: string;
  /** Who: `user:<id>` (a person), `token:<name>`, `system` (Roster itself), or `open` (sign-in was off). */
  principal: string;
  /** The person who made it, by their name now (null for a token, `open`, `system`, or a person since deleted). */
  actor: { id: number; name: string } | null;
} & (
  | {
      kind: 'created' | 'edited' | 'deleted' | 'restored' | 'invited' | 'sessions ended';
      /** The user after the change (as it was, for a delete). */
      user: UserDTO;
      /** What an edit changed (empty for creates and deletes). */
      changes: FieldChange[];
      /** The CSV import that made the change (a user's history names it), or null. */
      importedFrom: { jobId: string; fileName: string; kind: JobKind } | null;
    }
  // A CSV import, once, when it ended: its counts and its report (its rows are in their users' histories).
  | { kind: 'imported'; job: JobDTO }
);

/** Changes newest first, a page at a time. */
export type ActivityPageDTO = {
  entries: ActivityDTO[];
  /** The next (older) page, or null at the oldest change kept. */
  nextCursor: string | null;
  /** The newest event id when the page was read: the live stream goes on from there. */
  lastEventId: number;
};
