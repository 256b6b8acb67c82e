'use client';

import { useActionState } from 'react';
import { createUser, type CreateUserState } from '@/app/actions';
import type { UserField } from '@/lib/validation';
import { PrimaryButton } from './primary-button';

const IDLE: CreateUserState = { status: 'idle' };

function Field({ name, label, type, state }: { name: UserField; label: string; type: string; state: CreateUserState }) {
  const errors = state.fieldErrors?.[name];
  const errorId = `${name}-error`;
  return (
    <div className="flex-1 space-y-1">
      <label htmlFor={name} className="block text-sm font-medium text-gray-800">
        {label}
      </label>
      <input
        id={name}
        name={name}
        type={type}
        autoComplete="off"
        defaultValue={state.values?.[name]}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? errorId : undefined}
        className="block w-full rounded-md border border-gray-300 px-3 py-2 text-sm shadow-sm focus:border-blue-600 focus:outline-2 focus:outline-blue-600 aria-invalid:border-red-500"
      />
      {errors && (
        <p id={errorId} className="text-sm text-red-700">
          {errors.join(' ')}
        </p>
      )}
    </div>
  );
}

/** A server action form: it also works with JavaScript disabled. */
export function CreateUserForm() {
  const [state, formAction, pending] = useActionState(createUser, IDLE);
  return (
    <form action={formAction} noValidate aria-label="Add a user" className="space-y-3 rounded-lg border border-gray-200 bg-white p-4 shadow-sm">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <Field name="name" label="Name" type="text" state={state} />
        <Field name="email" label="Email" type="email" state={state} />
        <PrimaryButton pending={pending} className="sm:mt-6">
          Add user
        </PrimaryButton>
      </div>
      <p aria-live="polite" role="status" className={`min-h-5 text-sm ${state.status === 'error' ? 'text-red-700' : 'text-green-700'}`}>
        {pending ? 'Adding user…' : state.message}
      </p>
    </form>
  );
}
