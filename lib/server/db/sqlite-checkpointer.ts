import 'server-only';
import { Worker } from 'node:worker_threads';
import { logger } from '@/lib/server/logger';

// SQLite appends each commit to its write-ahead log, and by default the commit that takes the log
// past 1,000 pages copies the log into the database and syncs it: on the app's one connection,
// inside that commit, on the event loop. In a bulk delete at 1,000,000 users that was every
// batch's commit, about 7.5 ms each (docs/benchmarks.md). A worker thread with a connection of its
// own does the copying instead (a PASSIVE checkpoint never blocks the writer or the readers), so
// the app's commits only append. The checkpointer's code is a string, evaluated in the worker:
// a file of its own would have to survive Next.js's bundling as a separate entry.

const CHECKPOINTER = `
const Database = require('better-sqlite3');
const { parentPort, workerData } = require('node:worker_threads');
const database = new Database(workerData.file, { fileMustExist: true });
parentPort.postMessage('ready');
setInterval(() => {
  try {
    database.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy with the app's own checkpoint (its backstop): the next tick tries again.
  }
}, workerData.everyMs);
`;

/** How often the worker copies the log into the database. */
const EVERY_MS = 100;

/**
 * Starts the checkpointing worker for the SQLite file. `running` hears true once it checkpoints and
 * false if it ever stops (better-sqlite3 not found from the working directory, say), so the app's
 * connection can hand checkpoints back to its own commits.
 */
export function startCheckpointer(file: string, running: (yes: boolean) => void): void {
  const worker = new Worker(CHECKPOINTER, { eval: true, workerData: { file, everyMs: EVERY_MS } });
  worker.once('message', () => running(true));
  worker.once('error', (err) => logger.warn({ err }, 'SQLite checkpointer stopped: commits checkpoint the log themselves again'));
  worker.once('exit', () => running(false));
  // It never keeps the process alive: a server that is done exits with it running.
  worker.unref();
}
