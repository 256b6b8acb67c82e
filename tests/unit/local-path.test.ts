import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localPath } from '@/lib/shared/local-path';

// The one rule for where a redirect may send the browser. The browser reads the answer as a link
// relative to the page (`new URL(value, page)`), so that is the oracle: whatever localPath
// accepts must resolve to the page's own origin, whatever the page's origin is.

const BASES = ['http://127.0.0.1:3311/users/1/edit', 'https://roster.example/', 'https://roster.example:8443/a/b/c?x=1'];

/** Lands on another origin when a browser on `base` follows it. */
const leaves = (value: string, base: string) => new URL(value, base).origin !== new URL(base).origin;

/** Strings built from the pieces open redirects are made of. */
const pieces = fc.constantFrom('/', '//', '\\', '.', '..', '%2e', '%2E%2e', '%2f', '%5c', '\t', '\n', '\r', ' ', '@', ':', '?', '#', 'evil.example', 'a', 'users', '1', 'http:', 'javascript:');
const hostile = fc.oneof(
  fc.array(pieces, { maxLength: 12 }).map((parts) => parts.join('')),
  fc.array(pieces, { maxLength: 12 }).map((parts) => `/${parts.join('')}`),
  fc.string({ maxLength: 40 }),
  fc.webUrl(),
);

describe('localPath', () => {
  it.each([
    '/.//evil.example',
    '/..//evil.example',
    '/%2e%2e//evil.example',
    '/./\\evil.example',
    '/a/..//evil.example',
    '//evil.example',
    '/\\evil.example',
    '/\t/evil.example',
    '\\/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
    'users/1',
  ])('refuses %j, which could lead to another site', (value) => {
    expect(localPath(value)).toBeNull();
  });

  it.each([
    ['/', '/'],
    ['/?q=ada&sort=name', '/?q=ada&sort=name'],
    ['/users/7/edit#top', '/users/7/edit#top'],
    ['/a/../activity', '/activity'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
  ])('accepts %j as the path %j', (value, path) => {
    expect(localPath(value)).toBe(path);
  });

  it('never accepts anything that a browser on any of our origins would resolve to another origin', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const path = localPath(value);
        if (path === null) return;
        for (const base of BASES) {
          expect(leaves(value, base), `${JSON.stringify(value)} on ${base}`).toBe(false);
          expect(leaves(path, base), `${JSON.stringify(path)} on ${base}`).toBe(false);
        }
        // What it returns is already a local path: accepted again, unchanged.
        expect(localPath(path)).toBe(path);
      }),
      { numRuns: 20_000 },
    );
  });
});
