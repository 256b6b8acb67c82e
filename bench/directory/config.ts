// The directory benchmark's settings, targets and small helpers, shared by its parts.
import path from 'node:path';
import { ROOT } from '../servers';

export const SAMPLES = 30;
export const LOADS = 5;
export const CREATES = 20;
/** The events of part 4 rely on the seed's layout, which needs this many users (the windows at either end stay apart). */
export const MIN_USERS = 10_000;
export const SESSION_COOKIE = 'roster_session';
export const TMP = path.join(ROOT, 'bench/results/tmp-directory');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** A tag for the emails this run makes, so runs never collide. */
export const RUN = Date.now().toString(36);
export const now = () => performance.now();
/** A number for the report ('–' when there is none). */
export const f = (n: number | undefined, digits = 0) => (n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : '–');

/** The seed's target for `users`: 30 s up to 100,000, 60 s beyond (issue 22: a million in a minute). */
export const seedTarget = (users: number) => (users > 100_000 ? TARGETS.seedSecondsMillion : TARGETS.seedSeconds);

export const TARGETS = {
  htmlKb: 100,
  /** 100,000 users (the directory's first target); a million: seedSecondsMillion. */
  seedSeconds: 30,
  seedSecondsMillion: 60,
  serverP95Ms: 150,
  connectedP95Ms: 1_500,
  heapMb: 40,
  sortP95Ms: 50,
  searchP95Ms: 100,
  notModifiedP95Ms: 5,
  createVisibleP95Ms: 300,
};
