// The stream writer's process (lib/server/events/writer-process.ts) for unit tests, started as
// server.ts starts it; and `npm start`'s registration of it, for code that serves streams as it does.
import { type ChildProcess, fork } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { FORK_STREAM_WRITER } from '@/lib/server/events/writer';

const PROCESS = new URL('../../lib/server/events/writer-process.ts', import.meta.url);

/** Starts a writer process as server.ts does, and keeps it in `started` (to be killed). */
export function forkWriter(started: ChildProcess[]): () => ChildProcess {
  return () => {
    const child = fork(PROCESS, [], { execArgv: ['--conditions=react-server'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    started.push(child);
    return child;
  };
}

/** For the describe it is called in: how to start the writer registered as server.ts registers it, and its processes killed after. */
export function registerStreamWriter(): void {
  const started: ChildProcess[] = [];
  const shared = globalThis as typeof globalThis & { rosterStreamWriter?: unknown } & Record<symbol, unknown>;
  beforeAll(() => {
    shared[FORK_STREAM_WRITER] = forkWriter(started);
  });
  afterAll(() => {
    for (const child of started) child.kill();
    delete shared[FORK_STREAM_WRITER];
    delete shared.rosterStreamWriter;
  });
}
