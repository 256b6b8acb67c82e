// TEST-ONLY secrets for the end-to-end server that playwright.config.ts starts on 127.0.0.1.
// They are public (they are in the repository): never use them for a real deployment.
import { fileURLToPath } from 'node:url';

/** The first admin, whom the e2e server makes at start-up; the dashboard tests sign in as them. */
export const ADMIN_EMAIL = 'e2e.admin@roster.test';
// Sorts after every name the tests give their users, so a by-name page of theirs is what they made.
export const ADMIN_NAME = 'Zuzana Admin';
/** The first admin's password on /login. */
export const ADMIN_PASSWORD = 'e2e-only admin password (not a secret)';

/** Keys the e2e server's stored session data; tests use it to plant sessions of their own (32+ characters). */
export const SESSION_SECRET = 'e2e-only-session-secret-0123456789abcdef';

/** Bearer token the e2e server accepts on /api/users* and /events (16+ characters). */
export const API_TOKEN = 'e2e-only-api-token-0123456789';
/** A token with the viewer role: it may look, never change (tests/e2e/roles.spec.ts). */
export const VIEWER_TOKEN = 'e2e-viewer-token-0123456789';

/** The e2e server's SQLite file (playwright.config.ts), where tests plant sessions of their own. */
export const E2E_DATABASE = fileURLToPath(new URL('../.tmp/e2e.db', import.meta.url));

/** The session cookie's name (lib/server/auth/sessions.ts). */
export const SESSION_COOKIE = 'roster_session';

/**
 * The browser state (the session cookie) the `setup` project saves after signing in through the
 * real /login form; the dashboard tests start from it. tests/.tmp/ is git-ignored.
 */
export const ADMIN_STATE = fileURLToPath(new URL('../.tmp/e2e-admin-state.json', import.meta.url));

/** A browser state with no cookies: an anonymous visitor. */
export const ANONYMOUS = { cookies: [], origins: [] };
