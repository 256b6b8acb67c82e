'use server';

import { revalidatePath } from 'next/cache';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { addUser, removeUser } from '@/lib/users';
import { type FieldErrors, fieldErrorsOf, userIdSchema, userInputSchema } from '@/lib/validation';

export type CreateUserState = {
  status: 'idle' | 'success' | 'error';
  message?: string;
  fieldErrors?: FieldErrors;
  /** What was submitted, so a rejected form keeps its values (also without JavaScript). */
  values?: { name: string; email: string };
};

function text(formData: FormData, key: string): string {
  const value = formData.get(key);
  return typeof value === 'string' ? value : '';
}

export async function createUser(_previous: CreateUserState, formData: FormData): Promise<CreateUserState> {
  const values = { name: text(formData, 'name'), email: text(formData, 'email') };
  const parsed = userInputSchema.safeParse(values);
  if (!parsed.success) {
    return { status: 'error', message: 'Please fix the highlighted fields.', fieldErrors: fieldErrorsOf(parsed.error), values };
  }
  try {
    const user = await addUser(parsed.data);
    revalidatePath('/');
    return { status: 'success', message: `Added ${user.name}.` };
  } catch (error) {
    if (error instanceof ConflictError) {
      return { status: 'error', message: 'Please fix the highlighted fields.', fieldErrors: error.fieldErrors, values };
    }
    throw error;
  }
}

export async function deleteUser(formData: FormData): Promise<void> {
  const id = userIdSchema.safeParse(text(formData, 'id'));
  if (!id.success) return;
  try {
    await removeUser(id.data);
  } catch (error) {
    // Someone else deleted it first: the row is gone either way.
    if (!(error instanceof NotFoundError)) throw error;
  }
  revalidatePath('/');
}
