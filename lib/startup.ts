import 'server-only';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { missingProductionSecrets } from './auth/config';
import { connections } from './events';
import { log } from './log';

// Server start-up (from instrumentation.ts): refuse to run open in production, and end the
// streams on shutdown.

const missing = process.env.NEXT_PHASE === PHASE_PRODUCTION_BUILD ? [] : missingProductionSecrets();
if (missing.length > 0) {
  console.error(
    `Roster refuses to start: set ${missing.join(' and ')}.\n` +
      '  ADMIN_PASSWORD is the admin password; SESSION_SECRET signs sessions (32+ random characters,\n' +
      '  e.g. `openssl rand -base64 48`). See README, "Security".',
  );
  process.exit(1);
}

// Next.js waits for open requests before it exits on SIGTERM; SSE streams never finish by
// themselves, so end them, telling each client to reconnect (to another instance, if any).
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal, streams: connections.size }, 'shutting down: closing streams');
    connections.shutdown();
  });
}
