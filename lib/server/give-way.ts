import 'server-only';

// Background work lets the requests being answered go first. `npm start` holds a gate for each
// request while it is answered (requests-in-flight.ts); work that can wait runs once no request
// holds it, or after a bound, so a busy server still gets it done. Two gates, as two kinds of work
// wait for different requests: the streams' walks (events/slices.ts) for pages and API requests,
// but not presence reports, which wait for the walks instead, nor transfers that last seconds; an
// import's batches (jobs/runner.ts) for every request. Event-driven: the waiting work is called
// the moment the last request is answered, not found by polling a count.

class Gate {
  #held = 0;
  readonly #waiting = new Set<() => void>();

  /** Holds the gate while a request is answered; call what it returns once the answer is sent (again: nothing). */
  hold(): () => void {
    this.#held++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.#held === 0) for (const open of [...this.#waiting]) open();
    };
  }

  /** Requests holding it now. */
  get held(): number {
    return this.#held;
  }

  /** Calls `go` at once if no request holds the gate; else once none does, or after `atMostMs`. */
  whenOpen(atMostMs: number, go: () => void): void {
    if (this.#held === 0) {
      go();
      return;
    }
    const open = () => {
      if (!this.#waiting.delete(open)) return;
      clearTimeout(timer);
      go();
    };
    const timer = setTimeout(open, atMostMs);
    this.#waiting.add(open);
  }
}

/**
 * The routes (method and app route) the streams' walks do not wait for: presence reports, which wait
 * for the walks instead (lib/server/presence/report.ts), and transfers that last seconds (an export,
 * a job's report, an upload). Every other request holds the walks' gate.
 */
export const WALKS_GO_FIRST: ReadonlySet<string> = new Set(['POST /api/presence', 'GET /api/users/export', 'GET /api/jobs/[id]/report', 'POST /api/users/import']);

/** On globalThis: the server's counting and the work's waiting live in separately bundled modules. */
const shared = globalThis as typeof globalThis & { rosterGates?: { walks: Gate; jobs: Gate } };
export const gates = (shared.rosterGates ??= { walks: new Gate(), jobs: new Gate() });
