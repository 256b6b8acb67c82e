import 'server-only';
import { logger } from '@/lib/server/logger';
import { createRedis, type RedisConnection, redisAddress } from '@/lib/server/redis';

// How instances tell each other something happened. It carries no data that matters on its own:
// `events` is a doorbell (read the log now: the database holds the events), `sessions` names
// sessions that ended (the database already refuses them), `sessions-changed` sessions whose
// person's role changed (each instance reads them again within a second anyway). So a message lost while an instance
// is not listening costs only time: the hub polls the log every second, and sessions are
// re-checked (lib/server/startup.ts). `presence` carries who has Roster open (lib/server/presence):
// a change lost with a message is told again with the tab's next change, or its next sync.

export type Channel = 'events' | 'sessions' | 'sessions-changed' | 'presence';

export interface Bus {
  /** Delivers `message` to every instance's listeners on `channel`, this one's included. Rejects when it cannot. */
  publish(channel: Channel, message: string): Promise<void>;
  subscribe(channel: Channel, listener: (message: string) => void): void;
  /** True while messages cannot reach the other instances. */
  readonly degraded: boolean;
  /** Connects; rejects, saying why, when the transport is unreachable. */
  start(): Promise<void>;
  close(): void;
}

type Listeners = Map<Channel, ((message: string) => void)[]>;

function dispatch(listeners: Listeners, channel: Channel, message: string): void {
  for (const listener of listeners.get(channel) ?? []) listener(message);
}

function add(listeners: Listeners, channel: Channel, listener: (message: string) => void): void {
  listeners.set(channel, [...(listeners.get(channel) ?? []), listener]);
}

/** One instance: nothing to cross, nothing to fail. */
export class MemoryBus implements Bus {
  readonly #listeners: Listeners = new Map();
  readonly degraded = false;

  async publish(channel: Channel, message: string): Promise<void> {
    dispatch(this.#listeners, channel, message);
  }

  subscribe(channel: Channel, listener: (message: string) => void): void {
    add(this.#listeners, channel, listener);
  }

  async start(): Promise<void> {}

  close(): void {}
}

/** Several instances: Redis pub/sub, on channels under the deployment's key prefix. */
export class RedisBus implements Bus {
  readonly #publisher: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #listeners: Listeners = new Map();
  #down = false;
  #closing = false;

  constructor(
    readonly url: string,
    readonly keyPrefix: string,
  ) {
    // A subscribed connection can do nothing else, so publishing has its own.
    this.#publisher = createRedis(url, 2_000);
    this.#subscriber = createRedis(url);
    this.#subscriber.client.on('message', (channel: string, message: string) => {
      const name = channel.slice(keyPrefix.length) as Channel;
      dispatch(this.#listeners, name, message);
    });
    // ioredis subscribes again by itself after a reconnect; say when that happens, once.
    for (const { client } of [this.#publisher, this.#subscriber]) {
      client.on('close', () => this.#lost());
      client.on('ready', () => this.#back());
    }
  }

  get degraded(): boolean {
    return this.#down;
  }

  async start(): Promise<void> {
    await Promise.all([this.#publisher.connect(), this.#subscriber.connect()]);
    await this.#subscriber.client.subscribe(`${this.keyPrefix}events`, `${this.keyPrefix}sessions`, `${this.keyPrefix}sessions-changed`, `${this.keyPrefix}presence`);
  }

  close(): void {
    this.#closing = true;
    this.#publisher.client.disconnect();
    this.#subscriber.client.disconnect();
  }

  async publish(channel: Channel, message: string): Promise<void> {
    await this.#publisher.client.publish(`${this.keyPrefix}${channel}`, message);
  }

  subscribe(channel: Channel, listener: (message: string) => void): void {
    add(this.#listeners, channel, listener);
  }

  #lost(): void {
    if (this.#down || this.#closing) return;
    this.#down = true;
    logger.error({ redis: redisAddress(this.url) }, 'redis unreachable: other instances hear of changes by polling the log (within a second)');
  }

  #back(): void {
    if (!this.#down || this.#publisher.client.status !== 'ready' || this.#subscriber.client.status !== 'ready') return;
    this.#down = false;
    logger.info({ redis: redisAddress(this.url) }, 'redis reachable again');
  }
}
