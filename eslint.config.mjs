import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';
import { defineConfig, globalIgnores } from 'eslint/config';

// Where code runs is in its path: lib/server (Node.js only, `server-only`), lib/browser (the
// browser only, `client-only`), lib/shared (both). These rules fail when a module reaches for code
// that cannot run where it runs.
// Each side is named by its alias, its path from anywhere, and its relative path from a sibling
// folder of lib (`../server/logger` from lib/browser).
const side = (name, marker) => ({
  group: [`@/lib/${name}`, `@/lib/${name}/**`, `**/lib/${name}`, `**/lib/${name}/**`, marker],
  regex: `^(\\.\\./)+${name}(/|$)`,
});
const SERVER = side('server', 'server-only');
const BROWSER = side('browser', 'client-only');
const forbid = (sides, message) => [
  'error',
  { patterns: sides.flatMap(({ group, regex }) => [{ group, message }, { regex, message }]) },
];

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores(['.next/**', 'lib/server/generated/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**']),
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['components/**', 'lib/browser/**'],
    rules: {
      'no-restricted-imports': forbid([SERVER], 'Components and lib/browser run in the browser: import from lib/shared, or call the server through a server action or the API.'),
    },
  },
  {
    files: ['lib/shared/**'],
    rules: {
      'no-restricted-imports': forbid([SERVER, BROWSER], 'lib/shared runs on both sides: it may import only lib/shared and packages that run everywhere.'),
    },
  },
  {
    files: ['lib/server/**', 'app/**/route.ts', 'app/**/actions.ts', 'proxy.ts', 'instrumentation.ts'],
    rules: {
      'no-restricted-imports': forbid([BROWSER], 'Server code cannot use browser modules.'),
    },
  },
]);
