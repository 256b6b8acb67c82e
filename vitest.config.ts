import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('./', import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      // The same `@/` paths as tsconfig.json.
      { find: /^@\//, replacement: root },
      // Next.js resolves `server-only` to its empty variant on the server (the react-server
      // condition). Only this one import is redirected: turning the condition on for everything
      // would hand React's server build to code that never runs as a server component.
      { find: /^server-only$/, replacement: `${root}node_modules/server-only/empty.js` },
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          environment: 'node',
          // One `next start` on a fresh database for the whole run (see tests/support/server.ts).
          globalSetup: ['tests/integration/global-setup.ts'],
          // The files share that server and its database, and the machine has two cores.
          fileParallelism: false,
          testTimeout: 15_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
