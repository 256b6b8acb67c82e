// Preloaded into the bench's servers (bench/servers.ts, with --expose-gc): on SIGUSR2, a full
// garbage collection, then the heap still in use, in bytes, written to
// `$BENCH_HEAP_PROBE.<pid>`. That is what the server keeps; RSS also counts garbage not yet
// collected and the room V8 keeps for more, which grow with how fast requests make garbage.
import { renameSync, writeFileSync } from 'node:fs';

const file = `${process.env.BENCH_HEAP_PROBE}.${process.pid}`;
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  // Whole or not at all: the bench reads it as soon as it is there.
  writeFileSync(`${file}.tmp`, String(process.memoryUsage().heapUsed));
  renameSync(`${file}.tmp`, file);
});
