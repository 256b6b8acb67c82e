// Background work lets the requests being answered go first (lib/server/give-way.ts): an import's
// batches wait on the jobs' gate, the streams' walks on theirs (tests/unit/slices.test.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gates, WALKS_GO_FIRST } from '@/lib/server/give-way';

const { jobs, walks } = gates;
const turn = () => new Promise((resolve) => setImmediate(resolve));

/** Waits on `gate` as an import's batch does; says whether it has gone on yet, and when it went. */
function waitOn(gate: typeof jobs, atMostMs: number): { went: () => boolean; wentAt: Promise<number> } {
  let went = false;
  const wentAt = new Promise<number>((resolve) =>
    gate.whenOpen(atMostMs, () => {
      went = true;
      resolve(performance.now());
    }),
  );
  return { went: () => went, wentAt };
}

describe('giving way to the requests being answered', () => {
  it('goes on at once when no request holds the gate', () => {
    expect(waitOn(jobs, 1_000).went()).toBe(true);
  });

  it('waits while requests are answered and goes on the moment the last one is, not at the bound', async () => {
    const [first, second] = [jobs.hold(), jobs.hold()];
    expect(jobs.held).toBe(2);
    const waiting = waitOn(jobs, 60_000);
    first();
    await turn();
    expect(waiting.went()).toBe(false);
    second();
    expect(waiting.went()).toBe(true);
    expect(jobs.held).toBe(0);
  });

  it('goes on after the bound while requests keep coming, so a busy server still gets the work done', async () => {
    const release = jobs.hold();
    const started = performance.now();
    const wentAt = await waitOn(jobs, 20).wentAt;
    expect(wentAt - started).toBeGreaterThanOrEqual(19);
    expect(jobs.held).toBe(1);
    release();
  });

  it('counts a request released twice once (a count below zero would hold every later wait)', () => {
    const release = jobs.hold();
    release();
    release();
    expect(jobs.held).toBe(0);
    expect(waitOn(jobs, 60_000).went()).toBe(true);
  });

  it('keeps its two gates apart: a request only the jobs wait for (a presence report) holds an import back, not the walks', () => {
    const release = jobs.hold();
    expect(waitOn(walks, 60_000).went()).toBe(true);
    const batch = waitOn(jobs, 60_000);
    expect(batch.went()).toBe(false);
    release();
    expect(batch.went()).toBe(true);
  });
});

describe('WALKS_GO_FIRST', () => {
  // A renamed route or a typo would quietly make the walks wait for an upload again.
  it('names route handlers the app has, by the method they answer', () => {
    expect(WALKS_GO_FIRST.size).toBeGreaterThan(0);
    for (const entry of WALKS_GO_FIRST) {
      const [method, route] = entry.split(' ');
      const source = readFileSync(new URL(`../../app${route}/route.ts`, import.meta.url), 'utf8');
      expect(source, entry).toMatch(new RegExp(`export (async )?function ${method}\\(`));
    }
  });
});
