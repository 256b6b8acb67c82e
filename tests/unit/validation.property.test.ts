import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EMAIL_MAX, NAME_MAX, userIdSchema, userInputSchema } from '@/lib/shared/validation';

// Properties of the one schema every write path uses, over thousands of generated inputs.

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Characters that change how a name looks without being seen (bidi controls, zero-width), by code point. */
const INVISIBLE = new Set([0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200b, 0x200c, 0x200d, 0x2060, 0xfeff]);
/**
 * Of the alphabet below, only 😀 ZWJ 😀 joins something visible (an emoji sequence); every other
 * invisible character, anywhere, changes how a name looks without being seen.
 */
const looksLikeSomethingElse = (name: string) => {
  const chars = [...name];
  return chars.some((char, i) => INVISIBLE.has(char.codePointAt(0) ?? 0) && !(char === '\u200d' && chars[i - 1] === '😀' && chars[i + 1] === '😀'));
};
const VALID_EMAIL = 'someone@example.com';

/** Strings that lean towards the edges: control characters, spaces, markup, long runs, any unicode. */
const nasty = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: 'grapheme', maxLength: 120 }),
  fc.string({ unit: fc.constantFrom(' ', '\t', '\n', '\u0000', '\u007f', '\u0085', 'a', 'É', '<', '>', '"', '&', '😀', '\u202e', '\u2066', '\u200b', '\u200d', '\ufeff'), maxLength: 110 }),
  fc.constantFrom('<img src=x onerror=alert(1)>', '"; DROP TABLE "User"; --', '\u202eevil', ' '.repeat(101)),
);

describe('userInputSchema (properties)', () => {
  it('accepts a name exactly when its trimmed form has 1–100 characters, no control characters and nothing invisible', () => {
    fc.assert(
      fc.property(nasty, (name) => {
        const trimmed = name.trim();
        const expected = trimmed.length >= 1 && trimmed.length <= NAME_MAX && !CONTROL.test(trimmed) && !looksLikeSomethingElse(trimmed);
        const result = userInputSchema.safeParse({ name, email: VALID_EMAIL });
        expect(result.success).toBe(expected);
        if (result.success) expect(result.data.name).toBe(trimmed);
      }),
      { numRuns: 2_000 },
    );
  });

  it('stores every accepted email trimmed, lower-case, at most 254 characters, with one @', () => {
    fc.assert(
      fc.property(fc.oneof(fc.emailAddress(), nasty), (email) => {
        const result = userInputSchema.safeParse({ name: 'Ada', email });
        if (!result.success) return;
        const stored = result.data.email;
        expect(stored).toBe(email.trim().toLowerCase());
        expect(stored.length).toBeLessThanOrEqual(EMAIL_MAX);
        expect(stored.split('@')).toHaveLength(2);
      }),
      { numRuns: 2_000 },
    );
  });

  it('accepts generated addresses whatever their case, and the same address in any case normalises alike', () => {
    fc.assert(
      fc.property(fc.emailAddress({ size: 'small' }), (email) => {
        fc.pre(email.length <= EMAIL_MAX);
        const lower = userInputSchema.safeParse({ name: 'Ada', email: email.toLowerCase() });
        const upper = userInputSchema.safeParse({ name: 'Ada', email: email.toUpperCase() });
        expect(upper.success).toBe(lower.success);
        if (lower.success && upper.success) expect(upper.data.email).toBe(lower.data.email);
      }),
    );
  });

  it('is idempotent: what it accepts, it accepts again unchanged', () => {
    fc.assert(
      fc.property(nasty, fc.oneof(fc.emailAddress(), nasty), (name, email) => {
        const once = userInputSchema.safeParse({ name, email });
        if (!once.success) return;
        expect(userInputSchema.parse(once.data)).toEqual(once.data);
      }),
    );
  });

  it('rejects any object with a field besides name and email', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }).filter((key) => key !== 'name' && key !== 'email' && key !== '__proto__'),
        fc.jsonValue(),
        (key, value) => {
          expect(userInputSchema.safeParse({ name: 'Ada', email: VALID_EMAIL, [key]: value }).success).toBe(false);
        },
      ),
    );
  });

  it('rejects every JSON value that is not an object with both fields, and never throws', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const looksValid = typeof value === 'object' && value !== null && !Array.isArray(value) && 'name' in value && 'email' in value;
        fc.pre(!looksValid);
        expect(userInputSchema.safeParse(value).success).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('userIdSchema (properties)', () => {
  it('accepts exactly the canonical decimal numbers from 1 to 2^31-1, and reads them back unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.integer().map(String), fc.double().map(String)), (raw) => {
        const canonical = /^[1-9]\d{0,9}$/.test(raw) && Number(raw) <= 2 ** 31 - 1;
        const result = userIdSchema.safeParse(raw);
        expect(result.success).toBe(canonical);
        if (result.success) expect(String(result.data)).toBe(raw);
      }),
      { numRuns: 2_000 },
    );
  });
});
