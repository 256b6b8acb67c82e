// Where Playwright cannot download its own browser (CI has no internet), Debian's Chromium stands
// in. The flags keep it from reaching for network services it cannot get to. For the e2e config
// and for the integration tests that drive a browser themselves (dev-mode.test.ts).
import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

const SYSTEM_CHROMIUM = '/usr/bin/chromium';

export const chromiumLaunchOptions: LaunchOptions = existsSync(SYSTEM_CHROMIUM)
  ? {
      executablePath: SYSTEM_CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }
  : {};
