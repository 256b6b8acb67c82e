import 'server-only';
import type { Caller } from '@/lib/server/auth';

// Who sent a report, without reading the database each time. A tab reports every 20 s, far
// longer than an instance trusts its last look at a session (1 s: lib/server/auth/sessions.ts),
// so each report would be a session read: 500 a second at 10,000 tabs, and in the bench the
// largest share of a report's garbage after its samples (docs/benchmarks.md). But a tab that
// reports here has its stream open here, and an open stream is already let in until its session
// ends: it is closed the moment the relay says so, or at the next sweep when that was not heard
// (lib/server/startup.ts, 15 s), and until then it is told everything a report's answer says (who
// is here). So a report of a session with a stream open here is let in as that stream was. A
// report asks nothing of its caller's role; their name (shown as who is here) is looked up again
// at least once every LOOK_AGAIN_MS, so a rename is seen within that.

export const LOOK_AGAIN_MS = 60_000;

type Held = { caller: Caller; at: number };

/** The fewest entries before stale ones are looked for. */
const MIN_BOUND = 1_000;

/** The callers of sessions with a stream open here, as a full lookup last found them. */
export class StreamCallers {
  readonly #held = new Map<string, Held>();
  /** Past this many entries, those of closed streams are let go. */
  #bound = MIN_BOUND;

  /** `hasStream`: whether a session has a stream open on this instance (Connections.hasSession). */
  constructor(private readonly hasStream: (sessionId: string) => boolean) {}

  get size(): number {
    return this.#held.size;
  }

  /** The caller of session `id` as held, or null: none held, its stream closed, its session expired, or due a new look. */
  get(id: string | null, now = Date.now()): Caller | null {
    if (id === null) return null;
    const held = this.#held.get(id);
    if (!held) return null;
    if (now - held.at >= LOOK_AGAIN_MS || (held.caller.expiresAt ?? Infinity) <= now || !this.hasStream(id)) {
      this.#held.delete(id);
      return null;
    }
    return held.caller;
  }

  /** Keeps a caller a full lookup let in, when theirs is a session with a stream open here. */
  keep(caller: Caller, now = Date.now()): void {
    const id = caller.sessionId;
    if (caller.via !== 'session' || id === null || !this.hasStream(id)) return;
    this.#held.set(id, { caller, at: now });
    // Entries of streams since closed go when the map has grown past twice the last count: each
    // walk leaves only live ones, so walks cost O(1) a call over time.
    if (this.#held.size > this.#bound) {
      for (const [held, entry] of this.#held) if (now - entry.at >= LOOK_AGAIN_MS || !this.hasStream(held)) this.#held.delete(held);
      this.#bound = Math.max(MIN_BOUND, 2 * this.#held.size);
    }
  }
}
