import 'server-only';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { authEnabled } from './auth';
import { ensureFirstAdmin } from '@/lib/server/auth/accounts';
import { adminPasswordProblem, missingProductionSecrets } from '@/lib/server/auth/config';
import { endedAmong, forgetSessions, purgeSessions, sessionRelay } from '@/lib/server/auth/sessions';
import { consoleThroughLog } from './console-log';
import { env } from './env';
import { connections, hub } from './events';
import { pruneEvents } from '@/lib/server/events/event-log';
import { failInterruptedJobs, sweepMs } from '@/lib/server/jobs/interrupted';
import { logger } from './logger';
import { presence } from './presence';
import { instanceStatus } from './status';
import { startLimits, stopLimits } from './rate-limit';

// Server start-up (from instrumentation.ts): refuse to run open in production or without the
// Redis it was told to use, and end the streams on shutdown.

const building = process.env.NEXT_PHASE === PHASE_PRODUCTION_BUILD;
const PURGE_EVERY_MS = 60 * 60_000;
const SWEEP_EVERY_MS = 15_000;
const missing = building ? [] : missingProductionSecrets();
if (missing.length > 0) {
  console.error(
    `Roster refuses to start: set ${missing.join(' and ')}.\n` +
      '  ADMIN_EMAIL and ADMIN_PASSWORD make that person the first admin (created if they are not in the\n' +
      '  directory yet); ADMIN_PASSWORD alone no longer signs anyone in: add ADMIN_EMAIL=you@example.org.\n' +
      '  SESSION_SECRET keys sign-in secrets (32+ random characters, e.g. `openssl rand -base64 48`).\n' +
      '  See docs/security.md.',
  );
  process.exit(1);
}

const weakPassword = building ? null : adminPasswordProblem();
if (weakPassword) {
  console.error(`Roster refuses to start: ADMIN_PASSWORD: ${weakPassword} (8 to 128 characters, any of them).`);
  process.exit(1);
}

// A test's fault hook (lib/server/test-faults.ts) must never reach a deployment: `npm start` refuses it.
if (process.env.ROSTER_TEST_FAULT && process.env.npm_lifecycle_event === 'start') {
  console.error('Roster refuses to start: ROSTER_TEST_FAULT is for tests only (it kills the server). Unset it.');
  process.exit(1);
}

// The hub loads the newest events from the database. With REDIS_URL set, an instance that cannot
// reach Redis would be slow to hear of other instances' changes: refuse to start, saying why.
if (!building) {
  try {
    await Promise.all([hub.start(), startLimits()]);
    // Who is here: ask the other instances (over the bus the hub has just connected) for their tabs.
    presence.start(instanceStatus);
  } catch (error) {
    const message = (error as Error).message.replace(/\.$/, '');
    const hint = message.startsWith('Redis at') ? 'Start Redis, or unset REDIS_URL to run a single instance.' : 'Check DATABASE_URL and that the database is up.';
    console.error(`Roster refuses to start: ${message}.\n  ${hint}`);
    process.exit(1);
  }
}

// The first admin: ADMIN_EMAIL with ADMIN_PASSWORD, made or kept so at every start.
if (!building && authEnabled()) {
  try {
    await ensureFirstAdmin();
  } catch (error) {
    console.error(`Roster refuses to start: the first admin (ADMIN_EMAIL) could not be set up: ${(error as Error).message}`);
    process.exit(1);
  }
}

// From here on, what Next.js prints of errors and warnings is a JSON line like the rest.
if (!building && process.env.NODE_ENV === 'production') consoleThroughLog();

// Sessions: a session ended on any instance closes its streams here, takes its tabs off who is
// here, and is forgotten at once. The sweep catches what was not heard (Redis down when it ended)
// and purges expired sessions.
sessionRelay.onSessionsEnded((ended) => {
  forgetSessions(ended);
  connections.endSessions(ended);
  presence.endSessions(ended);
});
sessionRelay.onSessionsChanged(forgetSessions);
if (!building && authEnabled()) {
  const purge = () =>
    purgeSessions()
      .then((count) => count > 0 && logger.info({ count }, 'sessions purged'))
      .catch((error: unknown) => logger.warn({ err: error }, 'sessions not purged'));
  await purge();
  setInterval(purge, PURGE_EVERY_MS).unref();
  setInterval(() => {
    const open = connections.sessionIds();
    if (open.length === 0) return;
    endedAmong(open)
      .then((ended) => ended.length > 0 && connections.endSessions(ended))
      .catch((error: unknown) => logger.warn({ err: error }, 'open streams\' sessions not checked'));
  }, SWEEP_EVERY_MS).unref();
}

// The event log keeps EVENT_RETENTION_DAYS of history, pruned a batch at a time.
if (!building) {
  const prune = () =>
    pruneEvents(new Date(Date.now() - env.EVENT_RETENTION_DAYS * 24 * 60 * 60_000))
      .then((count) => count > 0 && logger.info({ count }, 'events pruned'))
      .catch((error: unknown) => logger.warn({ err: error }, 'events not pruned'));
  await prune();
  setInterval(prune, PURGE_EVERY_MS).unref();
}

// Imports whose instance stopped mid-way (lib/server/jobs/interrupted.ts): ended as failed by whichever instance looks first.
if (!building) {
  const sweepJobs = () =>
    failInterruptedJobs()
      .then((count) => count > 0 && logger.warn({ count }, 'interrupted imports ended as failed'))
      .catch((error: unknown) => logger.warn({ err: error }, 'interrupted imports not checked'));
  await sweepJobs();
  setInterval(sweepJobs, sweepMs()).unref();
}

// Next.js waits for open requests before it exits on SIGTERM; SSE streams never finish by
// themselves, so end them, telling each client to reconnect (to another instance, if any).
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal, streams: connections.size }, 'shutting down: closing streams');
    connections.shutdown();
    hub.close();
    presence.close();
    stopLimits();
  });
}
