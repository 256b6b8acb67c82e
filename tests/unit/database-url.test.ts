import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_URL, databaseTarget } from '@/lib/server/db/url';

describe('databaseTarget', () => {
  it('reads a file: URL as a SQLite file, relative to the working directory', () => {
    const file = path.resolve('data/roster.db');
    expect(databaseTarget(DEFAULT_DATABASE_URL)).toEqual({ provider: 'sqlite', url: `file:${file}`, file });
    expect(databaseTarget('file:///tmp/x.db')).toEqual({ provider: 'sqlite', url: 'file:/tmp/x.db', file: '/tmp/x.db' });
  });

  it.each(['postgres://roster@db.internal:5432/roster', 'postgresql://roster:secret@127.0.0.1/roster?sslmode=require'])(
    'reads %s as PostgreSQL, keeping the URL as it is',
    (url) => {
      expect(databaseTarget(url)).toEqual({ provider: 'postgresql', url });
    },
  );

  it.each([
    ['mysql://root:hunter2@db/roster', '"mysql://…"'],
    ['sqlite:roster.db', '"sqlite:…"'],
    ['postgres:roster:hunter2@db/roster', 'something else (not shown: it may hold a password)'],
    ['roster:hunter2@db/roster', 'something else (not shown: it may hold a password)'],
    ['hunter2', 'something else (not shown: it may hold a password)'],
  ])('refuses %s, showing at most its scheme', (url, shown) => {
    expect(() => databaseTarget(url)).toThrow(`got ${shown}.`);
    expect(() => databaseTarget(url)).not.toThrow(/hunter2|roster@|root/);
  });
});
