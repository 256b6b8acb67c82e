import 'server-only';
import type { Actor } from '@/lib/server/events/event-log';
import type { JobDTO } from '@/lib/shared/jobs';
import { startImport } from './runner';
import { createJob } from './store';
import { receiveCsv, uploadName } from './upload';

// Jobs: work that runs on the server after its request is answered (a CSV import; a bulk delete,
// role change or restore), followed over GET /api/jobs/{id} and the stream's `users_imported`
// progress (the one frame type of every job's progress). The routes and the dashboard use this.

export { currentImportOf, jobFor, requestCancel } from './store';
export { startDelete } from './delete-job';
export { startRestore } from './restore-job';
export { startRoleChange } from './role-job';
export { jobReport } from './report';

/** Takes a CSV upload (checked before any row is written), queues its import and returns the job. */
export async function importCsv(request: Request, actor: Actor): Promise<JobDTO> {
  const upload = await receiveCsv(request);
  const job = await createJob(upload.id, 'import', actor.principal, uploadName(request), upload.bytes);
  startImport(upload, job.id, actor);
  return job;
}
