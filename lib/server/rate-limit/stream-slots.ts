import 'server-only';
import type { Redis } from 'ioredis';
import { logger } from '@/lib/server/logger';

// How many streams one principal holds open at once. The rate limit bounds how fast streams are
// opened, not how many stay open: without this, one token could fill every slot of an instance in
// an hour and leave everyone else polling.

/** What `claim` hands back: call it once the stream is over. */
export type Release = () => void;

export interface StreamSlots {
  /** A slot for one more stream of `key`, or null when it holds `max` already. */
  claim(key: string): Promise<Release | null>;
  readonly max: number;
}

const once = (release: () => void): Release => {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
};

/** One instance: a count per key in memory. */
export class MemoryStreamSlots implements StreamSlots {
  readonly #held = new Map<string, number>();

  constructor(readonly max: number) {}

  async claim(key: string): Promise<Release | null> {
    const held = this.#held.get(key) ?? 0;
    if (held >= this.max) return null;
    this.#held.set(key, held + 1);
    return once(() => {
      const left = (this.#held.get(key) ?? 1) - 1;
      if (left > 0) this.#held.set(key, left);
      else this.#held.delete(key);
    });
  }
}

/**
 * Several instances: each key is a hash in Redis of counts per instance, and each instance keeps a
 * key of its own alive while it runs. A claim adds up the counts of instances still alive
 * (forgetting those of an instance that died without giving its slots back) and takes a slot if
 * the sum is under the cap, in one script, so instances racing for the last slot cannot both win.
 */
const CLAIM_SCRIPT = `
local fields = redis.call('HGETALL', KEYS[1])
local held = 0
for i = 1, #fields, 2 do
  if fields[i] ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. fields[i]) == 0 then
    redis.call('HDEL', KEYS[1], fields[i])
  else
    held = held + tonumber(fields[i + 1])
  end
end
if held >= tonumber(ARGV[2]) then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('PEXPIRE', KEYS[1], 86400000)
return 1
`;

const RELEASE_SCRIPT = `
if redis.call('HINCRBY', KEYS[1], ARGV[1], -1) <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`;

type SlotClient = Redis & {
  rosterClaimSlot(key: string, instance: string, max: number, alivePrefix: string): Promise<number>;
  rosterReleaseSlot(key: string, instance: string): Promise<number>;
};

/** How long an instance counts as alive after it last said so; it says so every third of that. */
const ALIVE_MS = 30_000;

export class RedisStreamSlots implements StreamSlots {
  readonly #redis: SlotClient;
  readonly #instance = crypto.randomUUID();
  #alive: ReturnType<typeof setInterval> | undefined;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    readonly max: number,
  ) {
    redis.defineCommand('rosterClaimSlot', { numberOfKeys: 1, lua: CLAIM_SCRIPT });
    redis.defineCommand('rosterReleaseSlot', { numberOfKeys: 1, lua: RELEASE_SCRIPT });
    this.#redis = redis as SlotClient;
  }

  /** Keeps this instance's key alive (at start-up, once Redis is connected). */
  async start(): Promise<void> {
    const sayAlive = () => this.#redis.set(this.#aliveKey(), '1', 'PX', ALIVE_MS);
    await sayAlive();
    this.#alive = setInterval(() => void sayAlive().catch(() => undefined), ALIVE_MS / 3);
    this.#alive.unref?.();
  }

  /** This instance's slots stop counting at once (on shutdown its streams end anyway). */
  stop(): void {
    clearInterval(this.#alive);
    this.#redis.del(this.#aliveKey()).catch(() => undefined);
  }

  async claim(key: string): Promise<Release | null> {
    const hash = `${this.keyPrefix}${key}`;
    try {
      const claimed = await this.#redis.rosterClaimSlot(hash, this.#instance, this.max, `${this.keyPrefix}instance:`);
      if (claimed === 0) return null;
    } catch (error) {
      // As with the rate limits, Redis being away must not take the live view down with it.
      logger.warn({ err: error }, 'stream cap unavailable (redis): stream allowed');
      return () => {};
    }
    return once(() => void this.#redis.rosterReleaseSlot(hash, this.#instance).catch(() => undefined));
  }

  #aliveKey(): string {
    return `${this.keyPrefix}instance:${this.#instance}`;
  }
}
