import 'server-only';
import { gates } from '@/lib/server/give-way';

// Work over every open stream (10,000 on an instance) in slices of a few milliseconds, giving the
// event loop back between them: a page request that arrives during a fan-out waits for one slice,
// not for all of it. Writing one frame to 10,000 sockets takes 40–110 ms on this project's
// two-core machines, most of it the kernel's (docs/benchmarks.md). While pages or API requests
// are being answered, the next slice waits for them (PAGES_FIRST_MS at most, lib/server/give-way.ts):
// a page renders in a dozen turns of the loop, and without the wait each would queue behind a slice.

/** Most time one slice spends before yielding. */
export const SLICE_MS = 2;
/** Longest a walk waits for the requests being answered before it takes its next slice anyway. */
export const PAGES_FIRST_MS = 10;
/** How many items between looks at the clock (performance.now() is not free at this rate). */
const CHECK_EVERY = 16;

type Walks = { active: number; waiting: (() => void)[] };
const observed = globalThis as typeof globalThis & { rosterSliceObserver?: (seconds: number) => void; rosterWalks?: Walks };
/** Walks under way and who waits for none to be (on globalThis, as each bundle has its own copy of this module). */
const walks = (observed.rosterWalks ??= { active: 0, waiting: [] });

/** Runs `slice` in the check phase once no page or API request is being answered, or after PAGES_FIRST_MS. */
const whenPagesAllow = (slice: () => void) => gates.walks.whenOpen(PAGES_FIRST_MS, () => setImmediate(slice));

/**
 * Resolves once no walk over the streams is under way, or after `atMostMs`: what can wait a
 * moment (presence reports, 500 a second at 10,000 open pages) lets the fan-out finish first,
 * instead of stretching it between its slices.
 */
export function walksDone(atMostMs: number): Promise<void> {
  if (walks.active === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, atMostMs);
    walks.waiting.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Hears how long each slice held the event loop (lib/server/metrics.ts); on globalThis, as each bundle has its own copy of this module. */
export function observeSlices(observe: (seconds: number) => void): void {
  observed.rosterSliceObserver = observe;
}

/**
 * Calls `each` on what `items` yields, SLICE_MS at a time, with setImmediate between slices (so
 * I/O callbacks run between them), each slice after the requests being answered (whenPagesAllow);
 * then `done`. Walks a live iterator: a Set's, which reaches items added meanwhile and skips those
 * deleted. The first slice waits too: what the caller is answering (a writer's request) leaves first.
 */
export function inSlices<T>(items: Iterator<T>, each: (item: T) => void, done: () => void = () => undefined): void {
  walks.active++;
  const slice = () => {
    const started = performance.now();
    const deadline = started + SLICE_MS;
    for (let n = 1; ; n++) {
      const next = items.next();
      if (next.done) break;
      each(next.value);
      if (n % CHECK_EVERY === 0 && performance.now() > deadline) {
        observed.rosterSliceObserver?.((performance.now() - started) / 1_000);
        whenPagesAllow(slice);
        return;
      }
    }
    observed.rosterSliceObserver?.((performance.now() - started) / 1_000);
    if (--walks.active === 0) for (const wake of walks.waiting.splice(0)) wake();
    done();
  };
  whenPagesAllow(slice);
}
