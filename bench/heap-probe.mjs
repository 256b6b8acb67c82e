// Preloaded into the bench's servers (bench/servers.ts, with --expose-gc): on SIGUSR2, V8's young
// generation as it is (its two semi-spaces, committed), then a full garbage collection and the heap
// still in use, in bytes, written as JSON to `$BENCH_HEAP_PROBE.<pid>`. The heap in use is what the
// server keeps; RSS also counts garbage not yet collected and the room V8 keeps for more. The young
// generation is part of that room: V8 grows it up to twice --max-semi-space-size while requests
// make garbage fast, and shrinks it again in a quiet moment, whatever the number of connections.
import { renameSync, writeFileSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';

const file = `${process.env.BENCH_HEAP_PROBE}.${process.pid}`;
process.on('SIGUSR2', () => {
  const young = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')?.space_size ?? 0;
  globalThis.gc?.();
  // Whole or not at all: the bench reads it as soon as it is there.
  writeFileSync(`${file}.tmp`, JSON.stringify({ young, retained: process.memoryUsage().heapUsed }));
  renameSync(`${file}.tmp`, file);
});
