import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '@/lib/server/auth/password';
import { passwordSchema } from '@/lib/shared/validation';

describe('passwords', () => {
  it('are stored as salted scrypt hashes that name their parameters, and verify only the password they were made from', async () => {
    const [first, second] = [await hashPassword('correct horse battery'), await hashPassword('correct horse battery')];
    expect(first).toMatch(/^scrypt\$16\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(first).not.toBe(second); // a salt each
    expect(await verifyPassword('correct horse battery', first)).toBe(true);
    expect(await verifyPassword('correct horse battery', second)).toBe(true);
    expect(await verifyPassword('correct horse batterY', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it('match nothing without a hash, or with one that is not ours', async () => {
    for (const stored of [null, '', 'plain text', 'scrypt$99$8$1$AAAA$AAAA', 'bcrypt$2b$10$abc']) {
      expect(await verifyPassword('anything at all', stored)).toBe(false);
    }
  });

  it('compare as Unicode text: the same letters typed in another normal form match', async () => {
    const stored = await hashPassword('Ame\u0301lie est là'); // é as e + combining accent
    expect(await verifyPassword('Am\u00e9lie est là', stored)).toBe(true);
  });

  it('accept 8 to 128 characters of any kind, and no composition rules (NIST SP 800-63B)', () => {
    expect(passwordSchema.safeParse('12345678').success).toBe(true);
    expect(passwordSchema.safeParse('lowercase only words').success).toBe(true);
    expect(passwordSchema.safeParse('🙂'.repeat(8)).success).toBe(true);
    expect(passwordSchema.safeParse('x'.repeat(128)).success).toBe(true);
    expect(passwordSchema.safeParse('1234567').error?.issues[0]?.message).toBe('Password must be at least 8 characters');
    expect(passwordSchema.safeParse('x'.repeat(129)).error?.issues[0]?.message).toBe('Password must be at most 128 characters');
  });
});
