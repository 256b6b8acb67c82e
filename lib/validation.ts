// The one schema every write path uses: the form, the server actions and the REST API.
// Safe to import on the client.
import { z } from 'zod';

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
export type UserField = keyof UserInput;
export type FieldErrors = Partial<Record<UserField, string[]>>;

/** A user id in a URL or a form: decimal digits naming a positive integer that fits the column. */
export const userIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, 'User id must be a positive whole number')
  .transform(Number)
  .refine((id) => id <= 2 ** 31 - 1, 'User id is too large');

export const DUPLICATE_EMAIL_MESSAGE = 'A user with this email already exists';

/** Field errors in the shape the form and the API both return. */
export function fieldErrorsOf(error: z.ZodError<UserInput>): FieldErrors & { form?: string[] } {
  const { fieldErrors, formErrors } = z.flattenError(error);
  return formErrors.length ? { ...fieldErrors, form: formErrors } : fieldErrors;
}
