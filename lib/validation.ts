// The one schema every write path uses: the form, the server actions and the REST API.
// Safe to import on the client.
import { z } from './zod';

export const NAME_MAX = 100;
export const EMAIL_MAX = 254;

// C0 and C1 control characters (tabs and newlines included): a name is one line of text.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export const userInputSchema = z.strictObject({
  name: z
    .string({ error: 'Name is required' })
    .trim()
    .min(1, 'Name is required')
    .max(NAME_MAX, `Name must be at most ${NAME_MAX} characters`)
    .refine((name) => !CONTROL_CHARS.test(name), 'Name must not contain control characters'),
  // Emails are stored trimmed and lower-cased, so uniqueness ignores case.
  email: z
    .string({ error: 'Email is required' })
    .trim()
    .toLowerCase()
    .min(1, 'Email is required')
    .max(EMAIL_MAX, `Email must be at most ${EMAIL_MAX} characters`)
    .pipe(z.email('Enter a valid email address')),
});

export type UserInput = z.infer<typeof userInputSchema>;

/** An edit: the same rules, for whichever fields it changes (at least one). */
export const userChangesSchema = userInputSchema
  .partial()
  .refine((changes) => changes.name !== undefined || changes.email !== undefined, 'Send a name, an email or both');

export type UserChanges = z.infer<typeof userChangesSchema>;
export type UserField = keyof UserInput;
export type FieldErrors = Partial<Record<UserField, string[]>>;

/** A user id in a URL or a form: decimal digits naming a positive integer that fits the column. */
export const userIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'User id must be a positive whole number')
  .transform(Number)
  .refine((id) => id <= 2 ** 31 - 1, 'User id is too large');

export const DUPLICATE_EMAIL_MESSAGE = 'A user with this email already exists';

/** Field errors in the shape the forms and the API all return: messages by field, and for the whole. */
export function fieldErrorsOf<T>(error: z.ZodError<T>): Partial<Record<keyof T & string, string[]>> & { form?: string[] } {
  const { fieldErrors, formErrors } = z.flattenError(error);
  const byField = fieldErrors as Partial<Record<keyof T & string, string[]>>;
  return formErrors.length ? { ...byField, form: formErrors } : byField;
}
