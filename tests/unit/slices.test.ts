// The walks over every open stream let the requests being answered go first: a slice waits while
// a page or API request holds their gate (requests-in-flight.ts, give-way.ts), for PAGES_FIRST_MS at most.
import { describe, expect, it } from 'vitest';
import { inSlices, PAGES_FIRST_MS } from '@/lib/server/events/slices';
import { gates } from '@/lib/server/give-way';

const holdWalks = () => gates.walks.hold();

const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Walks `items`, resolving with what it saw and when it saw the first item (performance.now()). */
function walk(items: number[]): { seen: number[]; firstAt: () => number; done: Promise<void> } {
  const seen: number[] = [];
  let firstAt = Number.NaN;
  const done = new Promise<void>((resolve) =>
    inSlices(
      items.values(),
      (item) => {
        if (seen.length === 0) firstAt = performance.now();
        seen.push(item);
      },
      resolve,
    ),
  );
  return { seen, firstAt: () => firstAt, done };
}

describe('walks and the requests being answered', () => {
  it('start at once when no request holds them', async () => {
    const { seen, done } = walk([1, 2, 3]);
    await turn();
    await turn();
    expect(seen).toEqual([1, 2, 3]);
    await done;
  });

  it('wait while a request is answered, and go on as soon as it is', async () => {
    const release = holdWalks();
    const { seen, done } = walk([1, 2, 3]);
    for (let i = 0; i < 5; i++) await turn();
    expect(seen).toEqual([]);
    release();
    // Released twice: counted once, so later walks are not held (a count below zero would hold them all).
    release();
    await turn();
    await turn();
    expect(seen).toEqual([1, 2, 3]);
    await done;
    const after = walk([4]);
    await turn();
    await turn();
    expect(after.seen).toEqual([4]);
  });

  it('wait while any of several requests is answered', async () => {
    const [first, second] = [holdWalks(), holdWalks()];
    const { seen, done } = walk([1]);
    first();
    for (let i = 0; i < 3; i++) await turn();
    expect(seen).toEqual([]);
    second();
    await done;
    expect(seen).toEqual([1]);
  });

  it('take their next slice anyway after PAGES_FIRST_MS, so a busy server still delivers', async () => {
    const release = holdWalks();
    const started = performance.now();
    const { seen, firstAt, done } = walk([1, 2]);
    await done;
    expect(seen).toEqual([1, 2]);
    expect(firstAt() - started).toBeGreaterThanOrEqual(PAGES_FIRST_MS - 1);
    release();
  });
});
