// The secrets every test server runs with: test-only values, never used anywhere else. They are
// long and distinctive, so a test can search the server's logs for them.

/** The first admin (ADMIN_EMAIL): start-up makes them, with ADMIN_PASSWORD, and the tests sign in as them. */
export const ADMIN_EMAIL = 'first.admin@roster.test';
/** The first admin's password, which the sign-in form accepts with ADMIN_EMAIL. */
export const ADMIN_PASSWORD = 'test-admin-password-7f3a9c';
/** Signs session cookies (32+ characters); tests use it to mint cookies of their own. */
export const SESSION_SECRET = 'test-session-secret-0123456789abcdef-not-for-production';
/** The bearer token scripts use (16+ characters). */
export const API_TOKEN = 'test-api-token-5b8e1d2c4a6f';

/** The bearer token Prometheus scrapes /api/metrics with (16+ characters), and nothing else. */
export const METRICS_TOKEN = 'test-metrics-token-9d4e2a7c1b';

/** The environment a test server gets unless a test overrides it. */
export const AUTH_ENV = { ADMIN_EMAIL, ADMIN_PASSWORD, SESSION_SECRET, API_TOKEN, METRICS_TOKEN };
