// Messages between bench/run.ts and its forked subscriber process.
import type { Summary } from './stats';

export type ClientCommand =
  | { cmd: 'connect'; port: number; count: number; events: number; concurrency: number; path: string; token: string }
  | { cmd: 'received' }
  | { cmd: 'collect'; sendTimes: number[] }
  | { cmd: 'close' };

export type ClientReply =
  | { cmd: 'connect'; connected: number; failed: number; totalMs: number; perConnection: Summary }
  | { cmd: 'received'; count: number }
  | { cmd: 'collect'; delivered: number; expected: number; latency: Summary }
  | { cmd: 'close' };
