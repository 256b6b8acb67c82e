// One production server and one fresh database for the whole integration run.
import type { TestProject } from 'vitest/node';
import { startServer } from '../support/server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the shared `next start` listens, e.g. http://127.0.0.1:3312 */
    baseUrl: string;
    /** Its SQLite file, for tests that lock it to make the database fail. */
    databaseFile: string;
    /** Where its stdout (the JSON log lines) is collected. */
    logFile: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide('baseUrl', server.url);
  project.provide('databaseFile', server.databaseFile);
  project.provide('logFile', server.logFile);
  return server.stop;
}
