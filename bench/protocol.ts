// Messages between bench/run.ts and its forked subscriber process.
import type { Summary } from './stats';

/** `count` subscribers on the server at `port`; a target with several instances gets one group each. */
export type Group = { port: number; count: number };

export type Delivery = { delivered: number; expected: number; latency: Summary };

export type ClientCommand =
  /** `auth`: a header line per subscriber, round robin (subscriber i sends auth[i % auth.length]). */
  | { cmd: 'connect'; groups: Group[]; events: number; concurrency: number; path: string; auth: string[] }
  | { cmd: 'received' }
  /** Delivery of events `first` … `first + sendTimes.length - 1`, each sent at its time. */
  | { cmd: 'collect'; sendTimes: number[]; first: number }
  | { cmd: 'close' };

export type ClientReply =
  | { cmd: 'connect'; connected: number; failed: number; totalMs: number; perConnection: Summary }
  | { cmd: 'received'; count: number }
  /** One per group, in the order of `connect`'s groups. */
  | { cmd: 'collect'; groups: Delivery[] }
  | { cmd: 'close' };
