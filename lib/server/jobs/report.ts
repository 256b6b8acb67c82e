import 'server-only';
import { stringify } from 'csv-stringify/sync';
import { logger } from '@/lib/server/logger';
import type { JobDTO } from '@/lib/shared/jobs';
import { failuresOf } from './store';

// A job's report: each row it could not import (line, field, message), or user it could not delete (userId, …), streamed from the database,
// then — for a job that stopped early (cancelled, a limit, a broken file) — a last line saying why.

const encoder = new TextEncoder();
const csv = (rows: (string | number)[][]) => encoder.encode(stringify(rows, { escape_formulas: true, record_delimiter: 'windows' }));

export function jobReport(job: JobDTO): ReadableStream<Uint8Array> {
  const batches = failuresOf(job.id);
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // A delete job's failures are users, not lines of a file: the first column is the user's id.
      controller.enqueue(csv([[job.kind === 'delete' ? 'userId' : 'line', 'field', 'message']]));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (!next.done) {
          controller.enqueue(csv(next.value.map(({ line, field, message }) => [line, field, message])));
          return;
        }
        if (job.error) controller.enqueue(csv([['', '', job.error]]));
        controller.close();
      } catch (error) {
        logger.error({ err: error, jobId: job.id }, 'job report failed');
        controller.error(error);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
