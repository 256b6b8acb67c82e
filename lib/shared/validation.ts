// The one schema every write path uses: the form, the server actions and the REST API.
// Safe to import on the client.
import { ROLES } from './roles';
import { z } from './zod';

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;

// C0 and C1 control characters (tabs and newlines included): a name is one line of text.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
// Characters that change how a name looks without being seen, so two users could look identical
// in the table and the activity (Unicode TR36): bidirectional embeddings, overrides and isolates;
// zero-width spaces, the word joiner / BOM, and zero-width (non-)joiners except where they join
// something a reader sees joined — an emoji sequence (👩‍💻), a consonant after a virama (Devanagari
// half forms), two letters of a script that joins (Persian's ZWNJ): RFC 5892's CONTEXTJ, roughly.
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/;
const ZERO_WIDTH = /[\u200b\u2060\ufeff]/;
const EMOJI_PART = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\ufe0f]/u;
const VIRAMA = /[\u094d\u09cd\u0a4d\u0acd\u0b4d\u0bcd\u0c4d\u0ccd\u0d4d\u0dca\u0e3a\u0f84\u1039\u103a\u1714\u1734\u17d2\u1a60\u1b44\u1baa\u1bab\ua806\ua8c4\ua953\ua9c0\uabed]/;
const JOINING_LETTER = /[\p{Script=Arabic}\p{Script=Syriac}\p{Script=Nko}\p{Script=Mongolian}\p{Script=Mandaic}\p{Script=Manichaean}\p{Script=Psalter_Pahlavi}\p{Script=Adlam}]/u;

/** Whether every zero-width (non-)joiner in `name` sits between what it joins. */
function joinersJoin(name: string): boolean {
  const chars = [...name];
  return chars.every((char, i) => {
    if (char !== '\u200c' && char !== '\u200d') return true;
    const [before, after] = [chars[i - 1] ?? '', chars[i + 1] ?? ''];
    if (char === '\u200d' && EMOJI_PART.test(before) && /\p{Extended_Pictographic}/u.test(after)) return true;
    if (VIRAMA.test(before) && /\p{L}/u.test(after)) return true;
    return JOINING_LETTER.test(before) && JOINING_LETTER.test(after) && /\p{L}/u.test(before) && /\p{L}/u.test(after);
  });
}

export const userInputSchema = z.strictObject({
  name: z
    .string({ error: 'Name is required' })
    .trim()
    .min(1, 'Name is required')
    .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`)
    .refine((name) => !CONTROL_CHARS.test(name), 'Name must not contain control characters')
    .refine((name) => !BIDI_CONTROLS.test(name), 'Name must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)')
    .refine((name) => !ZERO_WIDTH.test(name) && joinersJoin(name), 'Name must not contain zero-width characters (U+200B–U+200D, U+2060, U+FEFF), except a joiner inside an emoji or a word of a script that uses one'),
  // Emails are stored trimmed and lower-cased, so uniqueness ignores case.
  email: z
    .string({ error: 'Email is required' })
    .trim()
    .toLowerCase()
    .min(1, 'Email is required')
    .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters`)
    .pipe(z.email('Enter a valid email address')),
  // Who may do what (lib/shared/roles.ts). Optional: a new user has none (the column's default), and
  // an edit that leaves it out keeps it. Only an admin may change it (lib/server/users/write.ts).
  role: z.enum(ROLES, { error: 'Role must be none, viewer, editor or admin' }).optional(),
});

export type UserInput = z.infer<typeof userInputSchema>;

/** A role on its own (a selection's "Change role"): the user schema's rule, required. */
export const roleSchema = userInputSchema.shape.role.unwrap();

/**
 * A user's fields, listed once: the schema's keys. The data layer's select and DTO, the actions'
 * form reading, the activity's diff and the tests derive theirs from this list, so a new field is
 * a line in the schema (and a column, an input and a table cell), not a hunt.
 */
export const USER_FIELDS = userInputSchema.keyof().options;
export type UserField = (typeof USER_FIELDS)[number];

/** An edit: the same rules, for whichever fields it changes (at least one). */
export const userChangesSchema = userInputSchema
  .partial()
  .refine((changes) => USER_FIELDS.some((field) => changes[field] !== undefined), `Send at least one of: ${USER_FIELDS.join(', ')}`);

export type UserChanges = z.infer<typeof userChangesSchema>;

export type FieldErrors = Partial<Record<UserField, string[]>>;

/** Just the user's fields of `source` (a row, a DTO, an event's user). */
export function userFieldsOf<T extends UserInput>(source: T): Pick<T, UserField> {
  return Object.fromEntries(USER_FIELDS.map((field) => [field, source[field]])) as Pick<T, UserField>;
}

/** A user id in a URL or a form: decimal digits naming a positive integer that fits the column. */
export const userIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'User id must be a positive whole number')
  .transform(Number)
  .refine((id) => id <= 2 ** 31 - 1, 'User id is too large');

/** The most users one "Delete selected" (or its Undo) takes: a page of the dashboard (PAGE_SIZE). */
export const SELECTION_MAX = 50;

/** The users a selection names: a page's checked rows, each a user id. */
export const userIdsSchema = z
  .array(userIdSchema)
  .min(1, 'Select the users first')
  .max(SELECTION_MAX, `Select at most ${SELECTION_MAX} users at a time`)
  .transform((ids) => [...new Set(ids)]);

/** Passwords: 8 to 128 characters, any of them, no composition rules (NIST SP 800-63B). */
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const passwordSchema = z
  .string({ error: 'Password is required' })
  .min(PASSWORD_MIN, `Password must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `Password must be at most ${PASSWORD_MAX} characters`);

/** What the sign-in form sends. Only the shape is checked: a wrong one is a wrong password. */
export const signInSchema = z.object({
  email: userInputSchema.shape.email,
  password: z.string().min(1).max(PASSWORD_MAX),
});

export const DUPLICATE_EMAIL_MESSAGE = 'A user with this email already exists';

/** Field errors in the shape the forms and the API all return: messages by field, and for the whole. */
export function fieldErrorsOf<T>(error: z.ZodError<T>): Partial<Record<keyof T & string, string[]>> & { form?: string[] } {
  const { fieldErrors, formErrors } = z.flattenError(error);
  const byField = fieldErrors as Partial<Record<keyof T & string, string[]>>;
  return formErrors.length ? { ...byField, form: formErrors } : byField;
}
