import 'server-only';
import type { Tx } from '@/lib/server/db';
import { sessionRelay } from '@/lib/server/auth/sessions';
import { hub } from '@/lib/server/events';
import { type Actor, appendImportProgress } from '@/lib/server/events/event-log';
import { toJobDTO } from '@/lib/server/jobs/store';
import type { UserDTO } from '@/lib/shared/dto';
import type { JobDTO } from '@/lib/shared/jobs';
import { insertEvents } from './bulk-sql';
import type { RowFailure } from './import';

// What every batch of a job over users (bulk-delete.ts, bulk-role.ts, bulk-restore.ts) records in
// its transaction, and does once it commits: one event per changed user (jobId set, so not on the
// stream; their history names the job), the failures, the job's counts, and — at most once a second
// — the job's progress event, the dashboards' one frame for all those users.

/** A changed user's event: what happened, the user after, and (an edit) before. */
export type Change = { type: 'user_deleted' | 'user_restored' | 'user_updated'; user: UserDTO; previous?: UserDTO };

/** Which of the progress event's counts the changes go to. */
export type Counted = 'deleted' | 'restored' | 'updated';

/** Records a batch of job `jobId` in `tx`: the changes' events, the failures, the counts, and (`progress`) the progress event. */
export async function recordBatch(
  tx: Tx,
  jobId: string,
  actor: Actor,
  { changes, failures, read, unchanged = 0, counted }: { changes: Change[]; failures: RowFailure[]; read: number; unchanged?: number; counted: Counted },
  { progress, sinceLast }: { progress: boolean; sinceLast: number },
): Promise<JobDTO> {
  const events = changes.map(({ type, user, previous }) => ({
    type,
    userId: user.id,
    data: JSON.stringify(user),
    previous: previous ? JSON.stringify(previous) : null,
    principal: actor.principal,
    requestId: actor.requestId,
    jobId,
    listed: false,
  }));
  await insertEvents(tx, events, new Date());
  if (failures.length > 0) await tx.jobFailure.createMany({ data: failures.map((failure) => ({ jobId, ...failure })) });
  const job = toJobDTO(
    await tx.job.update({
      where: { id: jobId },
      // The table's `updated` column counts what a job changed (store.ts shows it by the job's kind).
      data: { read: { increment: read }, bytesRead: { increment: read }, updated: { increment: changes.length }, unchanged: { increment: unchanged }, failed: { increment: failures.length } },
    }),
  );
  if (progress) await appendImportProgress(tx, { importId: jobId, created: 0, updated: 0, [counted]: sinceLast + changes.length, job }, actor, false);
  return job;
}

/** Once a batch commits: sessions it ended close everywhere, changed ones are read afresh, and a progress event rings the hub. */
export async function afterBatch(actor: Actor, progress: boolean, { ended = [], changed = [] }: { ended?: string[]; changed?: string[] } = {}): Promise<void> {
  if (ended.length > 0) await sessionRelay.endSessions(ended);
  if (changed.length > 0) await sessionRelay.changedSessions(changed);
  if (progress) await hub.ring(actor.sessionId ?? undefined);
}
