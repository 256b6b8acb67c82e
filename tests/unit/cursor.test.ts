import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CursorError, decodeCursor, encodeCursor } from '@/lib/shared/directory/cursor';
import type { View } from '@/lib/shared/directory/view';
import { aUser } from '../support/users';

const byName: View = { q: '', role: '', sort: 'name', order: 'asc' };
const newest: View = { q: '', role: '', sort: 'createdAt', order: 'desc' };

describe('keyset cursors', () => {
  it('name the row and direction they were made from', () => {
    const user = aUser(42, { name: 'Zoë Ünal' });
    expect(decodeCursor(encodeCursor(byName, 'after', user), byName)).toEqual({ direction: 'after', key: 'zoë ünal', id: 42 });
    expect(decodeCursor(encodeCursor(newest, 'before', user), newest)).toEqual({ direction: 'before', key: user.createdAt, id: 42 });
  });

  it('round-trip any name, in any sort and direction', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100, unit: 'grapheme' }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom<'after' | 'before'>('after', 'before'), (name, id, direction) => {
        const cursor = encodeCursor(byName, direction, aUser(id, { name }));
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeCursor(cursor, byName)).toEqual({ direction, key: name.toLowerCase(), id });
      }),
    );
  });

  it('refuse a cursor made for another sort or order', () => {
    const cursor = encodeCursor(byName, 'after', aUser(1));
    expect(() => decodeCursor(cursor, { sort: 'name', order: 'desc' })).toThrow(CursorError);
    expect(() => decodeCursor(cursor, { sort: 'email', order: 'asc' })).toThrow(CursorError);
  });

  it('refuse anything tampered with', () => {
    const cursor = encodeCursor(newest, 'after', aUser(1));
    const json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const tampered = [
      '',
      'not base64!',
      cursor.slice(0, -3),
      `${cursor}x`,
      json({ s: 'createdAt', o: 'desc', d: 'after', k: 'yesterday', i: 1 }),
      json({ s: 'createdAt', o: 'desc', d: 'after', k: '2026-01-01T00:00:00.000Z', i: 0 }),
      json({ s: 'createdAt', o: 'desc', d: 'sideways', k: '2026-01-01T00:00:00.000Z', i: 1 }),
      json({ s: 'createdAt', o: 'desc', d: 'after', k: '2026-01-01T00:00:00.000Z', i: 1, extra: true }),
      json(['createdAt', 'desc']),
    ];
    for (const value of tampered) expect(() => decodeCursor(value, newest), value).toThrow(CursorError);
  });
});
