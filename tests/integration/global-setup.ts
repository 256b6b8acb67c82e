// One production server and one fresh database for the whole integration run.
import type { TestProject } from 'vitest/node';
import { startServer } from '../support/server';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the shared `next start` listens, e.g. http://127.0.0.1:3312 */
    baseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startServer();
  project.provide('baseUrl', server.url);
  return server.stop;
}
