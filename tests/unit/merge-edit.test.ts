import { describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { mergeEdit } from '@/lib/shared/merge-edit';

const current: UserDTO = { id: 1, name: 'Ada Theirs', email: 'ada@example.com', role: 'editor', createdAt: '', updatedAt: '', version: 2 };

describe('mergeEdit (a stale save)', () => {
  it('keeps what I changed, takes what only they changed, and flags what we both changed', () => {
    const merged = mergeEdit(
      { name: 'Ada Mine', email: 'ada@old.example', role: 'viewer' },
      { name: 'Ada Before', email: 'ada@old.example', role: 'editor' },
      current,
    );
    expect(merged).toEqual({
      values: { name: 'Ada Mine', email: 'ada@example.com', role: 'viewer' },
      conflicts: { name: 'Ada Theirs' },
    });
  });

  it('says nothing where we both typed the same, or where they changed nothing I changed', () => {
    expect(mergeEdit({ name: 'Ada Theirs' }, { name: 'Ada Before' }, current)).toEqual({ values: { name: 'Ada Theirs' }, conflicts: {} });
    expect(mergeEdit({ role: 'admin' }, { role: 'editor' }, current)).toEqual({ values: { role: 'admin' }, conflicts: {} });
  });

  it('keeps what was typed when the form did not say what it started from', () => {
    expect(mergeEdit({ name: 'Ada Before' }, {}, current)).toEqual({ values: { name: 'Ada Before' }, conflicts: { name: 'Ada Theirs' } });
  });
});
