// Jobs that run on the server and outlive the request that started them (a CSV import), as the API
// (GET /api/jobs/{id}), the stream (`users_imported`) and the importer's progress bar see them.
// Safe to import on the client.

export const JOB_STATES = ['queued', 'running', 'done', 'cancelled', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** What a job does: import a CSV file, delete a selection of users (a view, or ids) or change their role, or restore the users of a delete. */
export const JOB_KINDS = ['import', 'delete', 'role', 'restore'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** A user's history entry made by a job: " — imported from staff.csv", " — in a bulk delete of users matching “test”". */
export const JOB_PART: Record<JobKind, string> = { import: 'imported from', delete: 'in a bulk delete of', role: 'in a role change of', restore: 'in a restore of' };

/** A job's state and counts. */
export type JobDTO = {
  id: string;
  kind: JobKind;
  state: JobState;
  /** An import: the file's name as uploaded (the activity says "imported … from staff.csv"). A delete: what it deletes ("users matching “test”"). */
  fileName: string;
  /** Who started it (a principal). */
  principal: string;
  /**
   * The work to do and how much is done, for the progress bar and the time left: an import's file
   * size and bytes read; a delete's users selected (as the view counted them when seen) and users of it handled.
   */
  bytes: number;
  bytesRead: number;
  /** Rows read (a delete: users of the selection still there), and what became of each. */
  read: number;
  created: number;
  updated: number;
  /** A delete's users deleted, a restore's users restored (0 otherwise). */
  deleted: number;
  restored: number;
  unchanged: number;
  failed: number;
  /** Why it stopped, when it failed (or stopped early); null otherwise. */
  error: string | null;
  /** ISO 8601, UTC */
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** The failed rows as CSV: line, field, message. */
  reportUrl: string;
};

/** A job's progress on the stream (an import's or a delete's): at most one a second per job, and one when it ends. */
export type ImportProgress = {
  importId: string;
  /** Every row this job wrote up to here is in the log before this event. */
  upToEventId: number;
  /** Users this job created, updated and deleted since its previous progress event. */
  created: number;
  updated: number;
  deleted?: number;
  restored?: number;
  job: JobDTO;
};

/** The largest CSV an import takes (413 past it): IMPORT_MAX_BYTES's default. */
export const IMPORT_MAX_BYTES = 200 * 1024 * 1024;
/** The most rows one import reads (past it, the import stops and says so): IMPORT_MAX_ROWS's default. */
export const IMPORT_MAX_ROWS = 1_000_000;

/** What the import panel tells the importer about the server's limits. */
export type ImportLimits = { maxBytes: number; maxRows: number };
/** The longest line (one row) an import reads; a longer one stops it with the line's number. */
export const IMPORT_MAX_LINE_BYTES = 1024 * 1024;

export const isFinished = (state: JobState): boolean => state === 'done' || state === 'cancelled' || state === 'failed';

/**
 * Seconds left at the rate so far (bytes read over time running), or null before there is a rate.
 * `now` and `startedAt` in milliseconds.
 */
export function secondsLeft(job: Pick<JobDTO, 'bytes' | 'bytesRead' | 'startedAt'>, now: number): number | null {
  if (!job.startedAt || job.bytesRead <= 0 || job.bytes <= 0) return null;
  const elapsed = (now - Date.parse(job.startedAt)) / 1000;
  if (elapsed <= 0) return null;
  return Math.max(0, Math.round(((job.bytes - job.bytesRead) * elapsed) / job.bytesRead));
}
