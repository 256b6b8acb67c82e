import 'server-only';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { CsvError } from 'csv-parse';
import { db, provider } from '@/lib/server/db';
import type { Actor } from '@/lib/server/events/event-log';
import { logger } from '@/lib/server/logger';
import { countImportRows } from '@/lib/server/metrics';
import { gates } from '@/lib/server/give-way';
import { type Counts, finishImport, importBatch, type ImportRow, type RowFailure } from '@/lib/server/users/import';
import { env } from '@/lib/server/env';
import { IMPORT_MAX_LINE_BYTES, type JobDTO, type JobState } from '@/lib/shared/jobs';
import { csvParser, rowInput } from './csv';
import { EmailSet } from './email-set';
import { beat, heartbeatMs } from './interrupted';
import { toJobDTO } from './store';
import type { Upload } from './upload';

// Runs jobs (imports, and deletes: delete-job.ts) on the instance that took them, one at a time, in the background: the
// request that started one has long been answered (202) when it ends. The file is read as a
// stream, a batch of rows at a time, each batch one transaction (lib/server/users/import.ts), so
// memory holds one batch, and 16 bytes per email read to find repeats (email-set.ts: 16 MB at
// the 1,000,000-row limit).

/**
 * Rows a transaction takes. Small enough that the writes it holds up (SQLite has one writer, and
 * the event order's lock is one on PostgreSQL) and the pages waiting for its connection wait
 * milliseconds, not a second; large enough that an import runs at thousands of rows a second.
 */
export const BATCH_ROWS = 250;
/**
 * Users a job over users (a delete, a restore, a role change) takes per transaction. On SQLite, an
 * import's batch: its one connection serves the pages meanwhile. PostgreSQL serves pages from its
 * pool beside the batch, and what a batch costs whatever its size (begin, the event-order lock, the
 * reads, commit, the Cancel check: about ten round trips) was a third of a 100,000-user delete's
 * time at 250 users. At 1,000, a write that comes during a batch waits for its transaction to end
 * (68 ms on average in a delete, 118 ms in a restore: docs/benchmarks.md).
 */
export const USER_BATCH_ROWS = provider === 'postgresql' ? 1_000 : BATCH_ROWS;
/** At most one progress event (one frame on every dashboard) per import per second. */
export const PROGRESS_MS = 1_000;

const DUPLICATE_MESSAGE = 'This email is on an earlier line of this file: the first one was imported';

type Queued = { jobId: string; run: () => Promise<unknown>; cleanUp?: () => Promise<void> };
const globalForJobs = globalThis as typeof globalThis & { rosterImports?: { queue: Queued[]; running: boolean } };
const imports = (globalForJobs.rosterImports ??= { queue: [], running: false });

/** Queues a job (`run`); it starts when the ones before it on this instance end, and `cleanUp` follows it whatever happens. */
export function enqueue(jobId: string, run: () => Promise<unknown>, cleanUp?: () => Promise<void>): void {
  imports.queue.push({ jobId, run, cleanUp });
  if (!imports.running) void drain();
}

/** Queues an import of a stored upload. */
export function startImport(upload: Upload, jobId: string, actor: Actor): void {
  enqueue(jobId, () => runImport({ upload, jobId, actor }), () => rm(upload.file, { force: true }));
}

async function drain(): Promise<void> {
  imports.running = true;
  let current: string | null = null;
  // The jobs this instance runs and holds queued, said to be alive (interrupted.ts).
  const heartbeat = setInterval(() => {
    beat([...(current ? [current] : []), ...imports.queue.map((queued) => queued.jobId)]).catch((error: unknown) => logger.warn({ err: error }, 'job heartbeat failed'));
  }, heartbeatMs());
  try {
    for (let next = imports.queue.shift(); next; next = imports.queue.shift()) {
      current = next.jobId;
      try {
        await next.run();
      } catch (error) {
        logger.error({ err: error, jobId: next.jobId }, 'job failed');
      } finally {
        await next.cleanUp?.();
      }
    }
  } finally {
    clearInterval(heartbeat);
    imports.running = false;
  }
}

/** The longest an import waits between batches for the requests in flight to be answered. */
const GIVE_WAY_MS = 10;

/**
 * Lets whatever waits go first — a page, another write: an import is background work. On SQLite,
 * whose one connection every query of the process waits for while a batch holds it, with requests
 * in flight (`npm start` counts them) it waits until they are answered, up to GIVE_WAY_MS a batch,
 * so it never stops while the server stays busy. PostgreSQL's pool answers them beside the import meanwhile.
 */
export async function giveWay(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  if (provider !== 'sqlite') return;
  await new Promise<void>((resolve) => gates.jobs.whenOpen(GIVE_WAY_MS, resolve));
}

/** Whether a running job goes on: not when Cancel was pressed, nor when it was ended as interrupted (this instance went unheard for too long). */
export async function whetherToGoOn(jobId: string): Promise<'go' | 'cancel' | 'ended'> {
  const job = await db.job.findUnique({ where: { id: jobId }, select: { cancelRequested: true, state: true } });
  return job?.state !== 'running' ? 'ended' : job.cancelRequested ? 'cancel' : 'go';
}

/** Why the parser stopped, as the importer reads it. */
function parseFailure(error: CsvError): string {
  const line = typeof error.lines === 'number' ? ` at line ${error.lines}` : '';
  if (error.code === 'CSV_MAX_RECORD_SIZE') return `A row${line} is longer than ${IMPORT_MAX_LINE_BYTES / (1024 * 1024)} MB: the import stopped there`;
  if (error.code === 'CSV_QUOTE_NOT_CLOSED') return `A quoted field${line} is never closed: the import stopped there`;
  return `The file could not be read as CSV${line} (${error.code}): the import stopped there`;
}

async function runImport({ upload, jobId, actor }: { upload: Upload; jobId: string; actor: Actor }): Promise<JobDTO> {
  // Only a job still queued starts: one ended meanwhile as interrupted stays ended.
  const { count } = await db.job.updateMany({ where: { id: jobId, state: 'queued' }, data: { state: 'running', startedAt: new Date(), heartbeatAt: new Date() } });
  const started = await db.job.findUniqueOrThrow({ where: { id: jobId } });
  if (count === 0) {
    logger.warn({ jobId, state: started.state }, 'import ended elsewhere before it started');
    return toJobDTO(started);
  }
  if (started.cancelRequested) return finish(jobId, actor, { state: 'cancelled', error: 'Cancelled before it started: nothing was imported' }, 0, { created: 0, updated: 0 });
  const parser = createReadStream(upload.file).pipe(csvParser(upload.delimiter));
  const seen = new EmailSet();
  let rows: ImportRow[] = [];
  let failures: RowFailure[] = [];
  let sinceLast: Counts = { created: 0, updated: 0 };
  let lastProgress = 0;
  let bytesRead = 0;
  let lastLine = 0;
  let read = 0;
  let header = true;
  let stop: { state: JobState; error: string } | null = null;

  const flush = async () => {
    if (rows.length === 0 && failures.length === 0) return;
    const progress = Date.now() - lastProgress >= PROGRESS_MS;
    const { result } = await importBatch(jobId, rows, failures, actor, { progress, sinceLast, bytesRead });
    countImportRows({ created: result.created, updated: result.updated, unchanged: result.unchanged, failed: new Set(result.failures.map((failure) => failure.line)).size });
    sinceLast = progress ? { created: 0, updated: 0 } : { created: sinceLast.created + result.created, updated: sinceLast.updated + result.updated };
    if (progress) lastProgress = Date.now();
    rows = [];
    failures = [];
  };
  const goOn = () => whetherToGoOn(jobId);

  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      if (header) {
        header = false; // checked when the file came in (upload.columns)
        continue;
      }
      if (read === env.IMPORT_MAX_ROWS) {
        stop = { state: 'failed', error: `The file has more than ${env.IMPORT_MAX_ROWS.toLocaleString('en-US')} rows: the rows after line ${lastLine} were not read` };
        break;
      }
      read++;
      lastLine = info.lines;
      bytesRead = info.bytes;
      const row = rowInput(record, upload.columns, info.lines);
      if ('failures' in row) failures.push(...row.failures);
      else {
        if (!seen.add(row.input.email)) failures.push({ line: info.lines, field: 'email', message: DUPLICATE_MESSAGE });
        else rows.push({ line: info.lines, input: row.input });
      }
      if (rows.length + failures.length >= BATCH_ROWS) {
        await flush();
        await giveWay();
        const next = await goOn();
        if (next === 'ended') {
          logger.warn({ jobId, line: lastLine }, 'import ended elsewhere as interrupted: stopping');
          return toJobDTO(await db.job.findUniqueOrThrow({ where: { id: jobId } }));
        }
        if (next === 'cancel') {
          stop = { state: 'cancelled', error: `Cancelled after line ${lastLine}: the rows up to it were imported, the rest of the file was not read` };
          break;
        }
      }
    }
    if (!stop || stop.state !== 'cancelled') await flush();
  } catch (error) {
    // A file that breaks off: the rows read before it are whole rows, so they are kept. A database
    // that fails: the batch it failed in was rolled back, and the import stops there.
    if (error instanceof CsvError) await flush().catch(() => undefined);
    stop = { state: 'failed', error: error instanceof CsvError ? parseFailure(error) : `The database failed after line ${lastLine}: the rows before the last batch were imported, the rest was not` };
    logger.warn({ err: error, jobId }, 'import stopped');
  } finally {
    parser.destroy();
  }
  return finish(jobId, actor, stop, stop ? bytesRead : upload.bytes, sinceLast);
}

/** Ends the job (done unless `stop` says otherwise) with its last progress event, and logs it. */
async function finish(jobId: string, actor: Actor, stop: { state: JobState; error: string } | null, bytesRead: number, sinceLast: Counts): Promise<JobDTO> {
  const job = await finishImport(
    jobId,
    actor,
    async (tx) =>
      toJobDTO(await tx.job.update({ where: { id: jobId }, data: { state: stop?.state ?? 'done', error: stop?.error ?? null, finishedAt: new Date(), bytesRead } })),
    sinceLast,
  );
  logger.info({ jobId, principal: actor.principal, state: job.state, read: job.read, created: job.created, updated: job.updated, unchanged: job.unchanged, failed: job.failed }, 'import ended');
  return job;
}
