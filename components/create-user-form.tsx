'use client';

import { useActionState } from 'react';
import { createUser, type CreateUserState } from '@/app/actions';
import { PrimaryButton } from '@/components/primary-button';
import { FormField } from '@/components/form-field';

const IDLE: CreateUserState = { status: 'idle' };

/** A server action form: it also works with JavaScript disabled. */
export function CreateUserForm() {
  const [state, formAction, pending] = useActionState(createUser, IDLE);
  return (
    <form action={formAction} noValidate aria-label="Add a user" className="space-y-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm dark:border-gray-700 dark:bg-gray-800">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <FormField name="name" label="Name" type="text" defaultValue={state.values?.name} errors={state.fieldErrors?.name} />
        <FormField name="email" label="Email" type="email" defaultValue={state.values?.email} errors={state.fieldErrors?.email} />
        <PrimaryButton pending={pending} className="sm:mt-6">
          Add user
        </PrimaryButton>
      </div>
      <p aria-live="polite" role="status" className={`min-h-5 text-sm ${state.status === 'error' ? 'text-red-700 dark:text-red-400' : 'text-green-700 dark:text-green-400'}`}>
        {pending ? 'Adding user…' : state.message}
      </p>
    </form>
  );
}
