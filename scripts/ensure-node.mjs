// Runs first on `npm install`. Roster needs Node 22.18 or newer (better-sqlite3 13 crashes on 20,
// better-sqlite3 12 aborts on 24, and `npm start` runs server.ts on Node's own type stripping,
// on by default from 22.18). On an older Node — Debian 12's default is 20, past its end of
// life — it fetches the Node that .nvmrc names from the npm registry (the `node-<os>-<cpu>`
// package: a plain Node binary, no network beyond the registry) into .node/, and links it as
// node_modules/.bin/node. npm puts node_modules/.bin first on PATH for every script, so `npm run
// dev`, `npm start` and `npm test` run on it while the machine's Node stays as it is.
// On Node 22.18+ it does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MINIMUM = [22, 18];
const MINIMUM_TEXT = MINIMUM.join('.');
const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const shim = path.join(root, 'node_modules/.bin/node');

const [major, minor] = process.versions.node.split('.').map(Number);
const supported = major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);

if (supported) process.exit(0);

const wanted = readFileSync(path.join(root, '.nvmrc'), 'utf8').trim();
const os = { linux: 'linux', darwin: 'darwin' }[process.platform];
if (!os) {
  console.error(`roster: Roster needs Node ${MINIMUM_TEXT} or newer (this is ${process.version}). Install Node ${wanted}.`);
  process.exit(1);
}
const pkg = `node-${os}-${process.arch}`;
const prefix = path.join(root, '.node');
const binary = path.join(prefix, 'node_modules/.bin/node');

console.warn(
  `roster: Node ${process.version} is older than Roster supports (${MINIMUM_TEXT}+). ` +
    `Using Node ${wanted} from the npm registry (${pkg}) in .node/ for this project's scripts; ` +
    `install Node ${wanted} (e.g. \`nvm install\`) to skip this step.`,
);

if (!existsSync(binary)) {
  // Our own npm_config_* (set for this install script) must not leak into the nested install,
  // except where the registry and its cache are.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^npm_/i.test(name) || /^npm_config_(registry|cache|userconfig|(https?_)?proxy|noproxy)$/i.test(name),
    ),
  );
  mkdirSync(prefix, { recursive: true });
  const args = ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `${pkg}@${wanted}`];
  const npm = process.env.npm_execpath;
  const result = npm ? spawnSync(process.execPath, [npm, ...args], { stdio: 'inherit', env }) : spawnSync('npm', args, { stdio: 'inherit', env });
  if (result.status !== 0 || !existsSync(binary)) {
    console.error(`roster: could not install ${pkg}@${wanted}. Install Node ${wanted} and run npm install again.`);
    process.exit(1);
  }
}

rmSync(shim, { force: true });
mkdirSync(path.dirname(shim), { recursive: true });
symlinkSync(path.relative(path.dirname(shim), binary), shim);
const check = spawnSync(shim, ['--version'], { encoding: 'utf8' });
console.warn(`roster: npm scripts here now run on Node ${check.stdout.trim()}.`);
