import { describe, expect, it } from 'vitest';
import { EMAIL_MAX, NAME_MAX, fieldErrorsOf, userIdSchema, userInputSchema } from '@/lib/shared/validation';

/** The field errors a rejected input gets, in the shape the form and the API return. */
function errorsFor(input: unknown) {
  const result = userInputSchema.safeParse(input);
  if (result.success) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return fieldErrorsOf(result.error);
}

/** An address of exactly `length` characters whose domain labels stay within 63 characters. */
function emailOfLength(length: number): string {
  const head = `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.`;
  return `${head}${'d'.repeat(length - head.length - '.com'.length)}.com`;
}

describe('userInputSchema', () => {
  it('accepts a plain name and email', () => {
    expect(userInputSchema.parse({ name: 'Ada Lovelace', email: 'ada@example.com' })).toEqual({
      name: 'Ada Lovelace',
      email: 'ada@example.com',
    });
  });

  it('trims the name and trims and lower-cases the email', () => {
    expect(userInputSchema.parse({ name: '  Grace Hopper \n', email: '  Grace.Hopper@Example.COM ' })).toEqual({
      name: 'Grace Hopper',
      email: 'grace.hopper@example.com',
    });
  });

  it('keeps non-ASCII letters in names', () => {
    expect(userInputSchema.parse({ name: 'Zoë Ødegård 李', email: 'zoe@example.com' }).name).toBe('Zoë Ødegård 李');
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['only spaces', '   '],
    ['not a string', 42],
  ])('rejects a name that is %s', (_case, name) => {
    expect(errorsFor({ name, email: 'ada@example.com' })).toEqual({ name: ['Name is required'] });
  });

  it(`accepts a name of exactly ${NAME_MAX} characters and rejects ${NAME_MAX + 1}`, () => {
    expect(userInputSchema.parse({ name: 'x'.repeat(NAME_MAX), email: 'a@example.com' }).name).toHaveLength(100);
    expect(errorsFor({ name: 'x'.repeat(NAME_MAX + 1), email: 'a@example.com' })).toEqual({
      name: ['Name must be at most 100 characters'],
    });
  });

  it('measures the name after trimming', () => {
    expect(userInputSchema.parse({ name: ` ${'x'.repeat(NAME_MAX)} `, email: 'a@example.com' }).name).toBe(
      'x'.repeat(NAME_MAX),
    );
  });

  it.each([
    ['a tab', 'Ada\tLovelace'],
    ['a newline', 'Ada\nLovelace'],
    ['a carriage return', 'Ada\rLovelace'],
    ['NUL', 'Ada\u0000'],
    ['DEL', 'Ada\u007f'],
    ['a C1 control (NEL)', 'Ada\u0085Lovelace'],
    ['the last C1 control', 'Ada\u009f'],
  ])('rejects a name containing %s', (_case, name) => {
    expect(errorsFor({ name, email: 'ada@example.com' })).toEqual({
      name: ['Name must not contain control characters'],
    });
  });

  const BIDI = 'Name must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';
  const ZERO_WIDTH = 'Name must not contain zero-width characters (U+200B–U+200D, U+2060, U+FEFF), except a joiner inside an emoji or a word of a script that uses one';
  it.each([
    ['a right-to-left override', '\u202eRTL override', BIDI],
    ['a left-to-right embedding', 'Ada\u202aLovelace', BIDI],
    ['a first-strong isolate', 'Ada \u2068Lovelace\u2069', BIDI],
    ['a pop directional isolate', 'Ada\u2069', BIDI],
    ['a zero-width space alone', '\u200b', ZERO_WIDTH],
    ['a zero-width joiner', 'Ada\u200dLovelace', ZERO_WIDTH],
    ['a word joiner', 'Ada\u2060Lovelace', ZERO_WIDTH],
    ['a byte-order mark inside', 'Ada\ufeffLovelace', ZERO_WIDTH],
  ])('rejects a name containing %s, saying which kind of character', (_case, name, message) => {
    expect(errorsFor({ name, email: 'ada@example.com' })).toEqual({ name: [message] });
  });

  it.each([
    ['a right-to-left script', 'עדה לאבלייס'],
    ['an emoji joined by ZWJ', 'Ada 👩\u200d💻'],
    ['a flag sequence with a variation selector', 'Ada 🏳\ufe0f\u200d🌈'],
    ['an emoji with a skin tone, joined', '👩🏽\u200d💻 Grace'],
    ['Persian with a zero-width non-joiner between letters', 'مهر\u200cآرا'],
    ['Devanagari with a joiner after a virama', 'क्\u200dष'],
  ])('keeps %s', (_case, name) => {
    expect(userInputSchema.parse({ name, email: 'ada@example.com' }).name).toBe(name);
  });

  it.each([
    ['a joiner between Latin letters', 'Ada\u200cLovelace'],
    ['a joiner at the end', 'Ada 👩\u200d'],
    ['a joiner at the start', '\u200d👩 Ada'],
    ['a non-joiner between emoji', '👩\u200c💻'],
  ])('refuses %s, which joins nothing a reader sees', (_case, name) => {
    expect(errorsFor({ name, email: 'ada@example.com' })).toEqual({ name: [ZERO_WIDTH] });
  });

  it.each([
    ['that is missing', undefined, 'Email is required'],
    ['that is blank', '  ', 'Email is required'],
    ['without @', 'ada.example.com', 'Enter a valid email address'],
    ['without domain', 'ada@', 'Enter a valid email address'],
    ['without top-level domain', 'ada@example', 'Enter a valid email address'],
    ['with a space inside', 'ada lovelace@example.com', 'Enter a valid email address'],
    ['with two @', 'ada@@example.com', 'Enter a valid email address'],
  ])('rejects an email %s', (_case, email, message) => {
    expect(errorsFor({ name: 'Ada', email })).toEqual({ email: [message] });
  });

  it(`accepts an email of exactly ${EMAIL_MAX} characters and rejects ${EMAIL_MAX + 1}`, () => {
    const longest = emailOfLength(EMAIL_MAX);
    expect(longest).toHaveLength(254);
    expect(userInputSchema.parse({ name: 'Ada', email: longest }).email).toBe(longest);

    const tooLong = emailOfLength(EMAIL_MAX + 1);
    expect(tooLong).toHaveLength(255);
    expect(errorsFor({ name: 'Ada', email: tooLong })).toEqual({ email: ['Email must be at most 254 characters'] });
  });

  it('rejects unknown fields as a form error', () => {
    const errors = errorsFor({ name: 'Ada', email: 'ada@example.com', admin: true });
    expect(errors.name).toBeUndefined();
    expect(errors.email).toBeUndefined();
    expect(errors.form).toHaveLength(1);
    expect(errors.form?.[0]).toContain('admin');
  });

  it.each([
    ['null', null],
    ['an array', [{ name: 'Ada', email: 'ada@example.com' }]],
    ['a string', 'name=Ada'],
  ])('rejects %s as a whole with a form error', (_case, input) => {
    const errors = errorsFor(input);
    expect(errors.form).toHaveLength(1);
    expect(Object.keys(errors)).toEqual(['form']);
  });

  it('reports every invalid field at once', () => {
    expect(errorsFor({ name: '', email: 'nope' })).toEqual({
      name: ['Name is required'],
      email: ['Enter a valid email address'],
    });
  });
});

describe('userIdSchema', () => {
  it.each([
    ['42', 42],
    ['7', 7],
    ['2147483647', 2 ** 31 - 1],
  ])('accepts %j as %i', (input, id) => {
    expect(userIdSchema.parse(input)).toBe(id);
  });

  const NOT_AN_ID = 'User id must be a positive whole number';
  it.each([
    ['abc', NOT_AN_ID],
    ['0', NOT_AN_ID],
    ['-3', NOT_AN_ID],
    ['', NOT_AN_ID],
    ['1.5', NOT_AN_ID],
    ['007', NOT_AN_ID],
    ['0x10', NOT_AN_ID],
    ['1e1', NOT_AN_ID],
    [' 5', NOT_AN_ID],
    ['2147483648', 'User id is too large'],
  ])('rejects %j', (input, message) => {
    const result = userIdSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([message]);
  });
});
