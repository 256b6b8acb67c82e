import { defineConfig, devices } from '@playwright/test';
import { chromiumLaunchOptions as launchOptions } from './tests/support/chromium';
import { ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD, ADMIN_STATE, ANONYMOUS, API_TOKEN, SESSION_SECRET, VIEWER_TOKEN } from './tests/e2e/credentials';

const PORT = 3200;
const baseURL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '*.spec.ts',
  forbidOnly: true,
  // One server and one database for the whole run: tests run one at a time and each starts
  // from an empty table (see tests/e2e/fixtures.ts), so they can assert exact counts.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  outputDir: 'test-results',
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  // No extraHTTPHeaders here: an Authorization header on every browser request would let the
  // pages through even if the session cookie were broken. The API token goes only on the `api`
  // request context (tests/e2e/fixtures.ts); pages use the session from signing in.
  projects: [
    {
      // Signs in once through the real /login form and saves the session cookie to ADMIN_STATE.
      name: 'setup',
      testMatch: 'auth.setup.ts',
      use: { ...devices['Desktop Chrome'], launchOptions, storageState: ANONYMOUS },
    },
    {
      name: 'chromium',
      dependencies: ['setup'],
      use: { ...devices['Desktop Chrome'], launchOptions, storageState: ADMIN_STATE },
    },
  ],
  webServer: {
    // The production build (`npm run build`) must exist; `npm start` migrates the fresh file first.
    // Production with authentication on, as deployed; the secrets are test-only (credentials.ts).
    command: 'node tests/e2e/fresh-database.mjs && npm start',
    url: `${baseURL}/api/health`,
    env: {
      PORT: String(PORT),
      DATABASE_URL: 'file:./tests/.tmp/e2e.db',
      NEXT_TELEMETRY_DISABLED: '1',
      ADMIN_EMAIL,
      ADMIN_NAME,
      ADMIN_PASSWORD,
      SESSION_SECRET,
      API_TOKEN,
      // A script that may only look (tests/e2e/roles.spec.ts).
      API_TOKENS: `watcher:${VIEWER_TOKEN}:viewer`,
      SESSION_TTL_SECONDS: String(8 * 60 * 60),
      // Tests create and delete many users a minute from one address; the limiter has its own
      // unit and integration tests, and the server's limit cannot be changed for one e2e test.
      RATE_LIMIT_WRITES_PER_MIN: '0',
      TRUSTED_PROXY_HOPS: '0',
    },
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
