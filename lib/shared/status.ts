// What the status page shows of each instance (GET /api/status, /status). Safe to import on the client.
import type { Transport } from './presence';

export type InstanceStatus = {
  id: string;
  /** ISO 8601, UTC */
  startedAt: string;
  uptimeSeconds: number;
  /** Open SSE streams. */
  streams: number;
  /** Open pages whose reports reach this instance, by how they are live. */
  dashboards: Record<Transport, number>;
  /** Events delivered per second, over the last ten seconds. */
  eventsPerSecond: number;
  /** Commit → on screen over the last five minutes, in seconds (null: no reports). */
  delivery: { p50: number | null; p99: number | null; samples: number };
  /** 'none': a single instance (no REDIS_URL); 'down': instances hear of changes by polling. */
  redis: 'none' | 'up' | 'down';
  lastEventId: number;
};

export type StatusDTO = { instances: InstanceStatus[]; people: number };
