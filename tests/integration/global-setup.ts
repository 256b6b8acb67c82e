// One production server and one fresh database for the whole integration run, served as `npm
// start` serves it; and one as `next start` does, for the stream's tests, which run on both paths.
import type { TestProject } from 'vitest/node';
import { type Serve, startServer } from '../support/server';

/** What a test needs of a shared server. */
export type SharedServer = { baseUrl: string; databaseFile: string; logFile: string };

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the shared `npm start` listens, e.g. http://127.0.0.1:3312 */
    baseUrl: string;
    /** Its SQLite file, for tests that lock it to make the database fail. */
    databaseFile: string;
    /** Where its stdout (the JSON log lines) is collected. */
    logFile: string;
    /** The shared server of each way to serve (`npm start` is the one above), each on its own database. */
    servers: Record<Serve, SharedServer>;
  }
}

export default async function setup(project: TestProject) {
  const [npmStart, nextStart] = await Promise.all([startServer(), startServer({ serve: 'next start' })]);
  const shared = (server: typeof npmStart): SharedServer => ({ baseUrl: server.url, databaseFile: server.databaseFile, logFile: server.logFile });
  project.provide('baseUrl', npmStart.url);
  project.provide('databaseFile', npmStart.databaseFile);
  project.provide('logFile', npmStart.logFile);
  project.provide('servers', { 'npm start': shared(npmStart), 'next start': shared(nextStart) });
  return async () => {
    await Promise.all([npmStart.stop(), nextStart.stop()]);
  };
}
