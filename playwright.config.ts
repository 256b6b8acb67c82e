import { existsSync } from 'node:fs';
import { defineConfig, devices } from '@playwright/test';

const PORT = 3200;
const baseURL = `http://127.0.0.1:${PORT}`;

// Where Playwright cannot download its own browser (CI has no internet), Debian's Chromium
// stands in. The flags keep it from reaching for network services it cannot get to.
const SYSTEM_CHROMIUM = '/usr/bin/chromium';
const launchOptions = existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    }
  : {};

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
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], launchOptions } }],
  webServer: {
    // The production build (`npm run build`) must exist; `npm start` migrates the fresh file first.
    command: 'node tests/e2e/fresh-database.mjs && npm start',
    url: `${baseURL}/api/health`,
    env: {
      PORT: String(PORT),
      DATABASE_URL: 'file:./tests/.tmp/e2e.db',
      NEXT_TELEMETRY_DISABLED: '1',
    },
    reuseExistingServer: false,
    timeout: 120_000,
  },
});
