import 'server-only';
import { db, type Tx } from '@/lib/server/db';
import type { JobDTO } from '@/lib/shared/jobs';
import { sessionIdsOf, sessionRelay, takeSessions } from '@/lib/server/auth/sessions';
import { hub } from '@/lib/server/events';
import { type Actor, appendImportProgress, lockEventOrder } from '@/lib/server/events/event-log';
import { ADMINS_ONLY_MESSAGE, canManageAccess, LAST_ADMIN_MESSAGE, type Role } from '@/lib/shared/roles';
import { USER_FIELDS, type UserInput, userFieldsOf } from '@/lib/shared/validation';
import { toJobDTO } from '@/lib/server/jobs/store';
import type { UserDTO } from '@/lib/shared/dto';
import { insertEvents, insertUsers, type NewEvent } from './bulk-sql';
import { definedOnly, derivedKeys, toDTO, userSelect } from './fields';

// The data layer's bulk write: one batch of an import's rows, upserted by email in one transaction
// with an event per changed user (their history names the import) and the job's counts, so a
// batch is all there or not at all, and the job's numbers never disagree with the users.

/** A row that passed the schema: its line in the file, and the user it names. */
export type ImportRow = { line: number; input: UserInput };
/** A row that did not make it in: which line, which field, why. */
export type RowFailure = { line: number; field: string; message: string };

export type BatchResult = { created: number; updated: number; unchanged: number; failures: RowFailure[] };

export type Counts = { created: number; updated: number };

/**
 * Upserts `rows` (emails unique within the batch) for the import `jobId`: new emails are created,
 * known ones updated where a field differs, the rest left as they are (so running a file again
 * changes nothing). Role changes follow the one-at-a-time rules: only admins, and never the last
 * admin. With `progress`, the batch ends with the import's progress event, counting what changed
 * since the last one (`sinceLast` plus this batch): the stream's one frame for all those rows.
 */
export async function importBatch(
  jobId: string,
  rows: ImportRow[],
  rowFailures: RowFailure[],
  actor: Actor,
  { progress, sinceLast, bytesRead }: { progress: boolean; sinceLast: Counts; bytesRead: number },
): Promise<{ result: BatchResult; job: JobDTO }> {
  const done = await db.$transaction(
    async (tx) => {
      await lockEventOrder(tx);
      const known = await tx.user.findMany({ where: { email: { in: rows.map((row) => row.input.email) } }, select: userSelect, take: rows.length });
      const byEmail = new Map(known.map((row) => [row.email, toDTO(row)]));
      const failures = [...rowFailures];
      const creates: ImportRow[] = [];
      const events: NewEvent[] = [];
      const endedSessions: string[] = [];
      const changedSessions: string[] = [];
      let updated = 0;
      let unchanged = 0;
      const refuse = (row: ImportRow, message: string) => failures.push({ line: row.line, field: 'role', message });

      for (const row of rows) {
        const previous = byEmail.get(row.input.email);
        if (!previous) {
          if ((row.input.role ?? 'none') !== 'none' && !canManageAccess(actor.role)) refuse(row, ADMINS_ONLY_MESSAGE);
          else creates.push(row);
          continue;
        }
        const fields = userFieldsOf({ ...previous, ...definedOnly(row.input) });
        if (USER_FIELDS.every((field) => fields[field] === previous[field])) {
          unchanged++;
          continue;
        }
        if (fields.role !== previous.role) {
          const refusal = await accessRefusal(tx, actor.role, previous.id, previous.role);
          if (refusal) {
            refuse(row, refusal);
            continue;
          }
          if (fields.role === 'none') endedSessions.push(...(await takeSessions(tx, previous.id)));
          else changedSessions.push(...(await sessionIdsOf(tx, previous.id)));
        }
        const user = toDTO(
          await tx.user.update({ where: { id: previous.id }, data: { ...fields, ...derivedKeys(fields), version: { increment: 1 } }, select: userSelect }),
        );
        events.push({ ...eventOf(jobId, actor), type: 'user_updated', userId: user.id, data: JSON.stringify(user), previous: JSON.stringify(previous) });
        updated++;
      }

      const at = new Date();
      const fresh = creates.map(({ input }) => {
        const fields = { ...input, role: input.role ?? 'none' };
        return { ...fields, ...derivedKeys(fields) };
      });
      const ids = await insertUsers(tx, fresh, at);
      for (const row of fresh) {
        const id = ids.get(row.email) ?? 0;
        const user: UserDTO = { ...userFieldsOf(row), id, createdAt: at.toISOString(), updatedAt: at.toISOString(), version: 1 };
        events.push({ ...eventOf(jobId, actor), type: 'user_created', userId: id, data: JSON.stringify(user), previous: null });
      }
      await insertEvents(tx, events, at);
      if (failures.length > 0) await tx.jobFailure.createMany({ data: failures.map((failure) => ({ jobId, ...failure })) });
      const counts = { created: fresh.length, updated };
      const row = await tx.job.update({
        where: { id: jobId },
        data: {
          bytesRead,
          read: { increment: rows.length + new Set(rowFailures.map((failure) => failure.line)).size },
          created: { increment: counts.created },
          updated: { increment: updated },
          unchanged: { increment: unchanged },
          failed: { increment: new Set(failures.map((failure) => failure.line)).size },
        },
      });
      const job = toJobDTO(row);
      if (progress) await appendImportProgress(tx, { importId: jobId, created: sinceLast.created + counts.created, updated: sinceLast.updated + updated, job }, actor, false);
      return { result: { ...counts, unchanged, failures }, job, endedSessions, changedSessions };
    },
    { timeout: 60_000 },
  );
  if (done.endedSessions.length > 0) await sessionRelay.endSessions(done.endedSessions);
  if (done.changedSessions.length > 0) await sessionRelay.changedSessions(done.changedSessions);
  if (progress) await hub.ring(actor.sessionId ?? undefined);
  return { result: done.result, job: done.job };
}

/** What every event of an import's row says: who, and which import (not listed: the import is, once). */
const eventOf = (jobId: string, actor: Actor) => ({ principal: actor.principal, requestId: actor.requestId, jobId, listed: false });

/** Why `role` may not change the role of user `id` (now `from`), or null when it may. */
async function accessRefusal(tx: Tx, role: Role, id: number, from: Role): Promise<string | null> {
  if (!canManageAccess(role)) return ADMINS_ONLY_MESSAGE;
  if (from !== 'admin') return null;
  const others = await tx.user.count({ where: { role: 'admin', id: { not: id } } });
  return others === 0 ? LAST_ADMIN_MESSAGE : null;
}

/**
 * Records that an import (or a delete job) ended (done, cancelled, failed): the job's final state (`finish`) and its
 * last progress event, which the activity lists, in one transaction.
 */
export async function finishImport(
  jobId: string,
  actor: Pick<Actor, 'principal' | 'requestId' | 'sessionId'>,
  finish: (tx: Tx) => Promise<JobDTO>,
  sinceLast: Pick<Counts, 'created' | 'updated'> & { deleted?: number; restored?: number },
): Promise<JobDTO> {
  const job = await db.$transaction(async (tx) => {
    await lockEventOrder(tx);
    const finished = await finish(tx);
    await appendImportProgress(tx, { importId: jobId, created: sinceLast.created, updated: sinceLast.updated, deleted: sinceLast.deleted, restored: sinceLast.restored, job: finished }, actor, true);
    return finished;
  });
  await hub.ring(actor.sessionId ?? undefined);
  return job;
}
