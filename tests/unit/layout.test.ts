import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// Where code runs is in its path: every module of lib/server says `server-only`, every module of
// lib/browser `client-only`, lib/shared neither; and ESLint (eslint.config.mjs) fails a module that
// imports across the line. Both are checked here on the real tree and config.

const ROOT = process.cwd();

function modules(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.parentPath.includes('generated'))
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)));
}

const marks = (file: string) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  return { server: /^import 'server-only';$/m.test(text), browser: /^import 'client-only';$/m.test(text) };
};

describe('the layout', () => {
  it('marks every module of lib/server server-only, of lib/browser client-only, and lib/shared with neither', () => {
    const wrong = [
      ...modules('lib/server').filter((file) => !marks(file).server || marks(file).browser),
      ...modules('lib/browser').filter((file) => !marks(file).browser || marks(file).server),
      ...modules('lib/shared').filter((file) => marks(file).server || marks(file).browser),
    ];
    expect(modules('lib/server').length).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  });

  it('keeps nothing at the top of lib: every module says where it runs by its folder', () => {
    expect(readdirSync(path.join(ROOT, 'lib')).sort()).toEqual(['browser', 'server', 'shared']);
  });

  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (filePath: string, code: string) => (await eslint.lintText(code, { filePath: path.join(ROOT, filePath) }))[0]?.messages.map((m) => m.ruleId) ?? [];

  it.each([
    ['a component', 'components/probe.tsx', "import { db } from '@/lib/server/db';\nexport const probe = db;\n"],
    ['a browser module', 'lib/browser/probe.ts', "import { logger } from '../server/logger';\nexport const probe = logger;\n"],
    ['a shared module (server code)', 'lib/shared/probe.ts', "import { env } from '@/lib/server/env';\nexport const probe = env;\n"],
    ['a shared module (browser code)', 'lib/shared/probe.ts', "import { decodeEvent } from '@/lib/browser/decode-event';\nexport const probe = decodeEvent;\n"],
    ['a server module (browser code)', 'lib/server/probe.ts', "import 'server-only';\nimport { decodeEvent } from '@/lib/browser/decode-event';\nexport const probe = decodeEvent;\n"],
  ])('fails lint when %s imports across the line', async (_case, file, code) => {
    expect(await lint(file, code)).toContain('no-restricted-imports');
  }, 30_000);

  it('lets a component import shared code', async () => {
    expect(await lint('components/probe.tsx', "import type { UserDTO } from '@/lib/shared/dto';\nexport type Probe = UserDTO;\n")).not.toContain('no-restricted-imports');
  }, 30_000);
});
