// What Linux's /proc says of a process: its children (`npm start`'s stream writer is one), for the
// tests and the bench.
import { readFileSync } from 'node:fs';

/** The pids of a process's direct children. */
export const childPids = (pid: number): number[] => readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
