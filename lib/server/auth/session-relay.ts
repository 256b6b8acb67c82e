import 'server-only';
import type { Bus } from '@/lib/server/events/bus';
import { logger } from '@/lib/server/logger';

// Ended sessions, told to every instance over the bus the hub rings on, so each forgets the
// session and closes its streams at once. Nothing depends on hearing it: every instance refuses an
// ended session within a second (sessions.ts) and closes its streams at its next sweep.

/** Session ids (hashes, never cookies), or every session. */
export type SessionsEnded = string[] | 'all';

export class SessionRelay {
  readonly #listeners: ((ended: SessionsEnded) => void)[] = [];
  readonly #changeListeners: ((changed: string[]) => void)[] = [];

  constructor(private readonly bus: Bus) {
    bus.subscribe('sessions', (message) => {
      try {
        this.#heard(JSON.parse(message) as SessionsEnded);
      } catch (error) {
        logger.warn({ err: error }, 'unreadable ended-sessions message ignored');
      }
    });
    bus.subscribe('sessions-changed', (message) => {
      try {
        this.#heardChanged(JSON.parse(message) as string[]);
      } catch (error) {
        logger.warn({ err: error }, 'unreadable changed-sessions message ignored');
      }
    });
  }

  /**
   * Tells every instance that these sessions' person changed role (keeping access), so each reads
   * them again on their next request instead of trusting what it looked up up to a second ago.
   * Published before the change's event, on the same connection, so a tab that reloads on the event
   * is answered with the new role. Never throws.
   */
  async changedSessions(changed: string[]): Promise<void> {
    try {
      await this.bus.publish('sessions-changed', JSON.stringify(changed));
    } catch (error) {
      logger.warn({ err: error }, 'changed sessions not announced: they are read again within a second');
      this.#heardChanged(changed);
    }
  }

  /** Called on this instance for every `changedSessions` of any instance. */
  onSessionsChanged(listener: (changed: string[]) => void): void {
    this.#changeListeners.push(listener);
  }

  #heardChanged(changed: string[]): void {
    for (const listener of this.#changeListeners) listener(changed);
  }

  /**
   * Tells every instance, this one included, that these sessions ended ('all': every session).
   * Never throws: when the bus cannot carry it, this instance still hears it.
   */
  async endSessions(ended: SessionsEnded): Promise<void> {
    try {
      await this.bus.publish('sessions', JSON.stringify(ended));
    } catch (error) {
      logger.warn({ err: error }, 'ended sessions not announced: this instance ends them, the others within a second');
      this.#heard(ended);
    }
  }

  /** Called on this instance for every `endSessions` of any instance. */
  onSessionsEnded(listener: (ended: SessionsEnded) => void): void {
    this.#listeners.push(listener);
  }

  #heard(ended: SessionsEnded): void {
    for (const listener of this.#listeners) listener(ended);
  }
}
