// The set an import finds repeated emails with (lib/server/jobs/email-set.ts): every email once,
// a repeat refused, across the table's growth.
import { describe, expect, it } from 'vitest';
import { EmailSet } from '@/lib/server/jobs/email-set';

describe('EmailSet', () => {
  it('takes each email once and refuses a repeat, however large it grows', () => {
    const set = new EmailSet();
    const count = 300_000; // past several doublings of its 65,536 slots
    let added = 0;
    for (let i = 0; i < count; i++) if (set.add(`user${i}@example.com`)) added++;
    expect(added).toBe(count);
    expect(set.size).toBe(count);
    let repeats = 0;
    for (let i = 0; i < count; i += 997) if (!set.add(`user${i}@example.com`)) repeats++;
    expect(repeats).toBe(Math.ceil(count / 997));
    expect(set.add('someone.new@example.com')).toBe(true);
    expect(set.size).toBe(count + 1);
  });

  it('tells emails apart by every character', () => {
    const set = new EmailSet();
    expect(set.add('ada@example.com')).toBe(true);
    expect(set.add('ada@example.co')).toBe(true);
    expect(set.add('ada@example.com ')).toBe(true);
    expect(set.add('ada@example.com')).toBe(false);
  });
});
