import 'server-only';

// Faults the integration tests inject through ROSTER_TEST_FAULT; `npm start` refuses to run with
// one set (lib/server/startup.ts).

/** The process dies between a write's commit and its ring (tests/integration/event-log.test.ts). */
export const CRASH_AFTER_COMMIT = process.env.ROSTER_TEST_FAULT === 'crash-after-commit';
