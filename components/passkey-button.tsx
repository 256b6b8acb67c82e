'use client';

import {
  browserSupportsWebAuthn,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser';
import { useState } from 'react';
import { Spinner } from '@/components/spinner';

/** A server action's first step: the options for the browser, or why not. */
export type PasskeyStart<Options> = { options: Options } | { error: string };
/** Its second step: what to announce (the action redirects instead when it signs someone in). */
export type PasskeyDone = { error?: string; done?: string };

/**
 * Adding a passkey (navigator.credentials.create) or signing in with one (.get), through two server
 * actions. Each gets a form, as every action of Roster does (proxy.ts checks their bodies so): `arg`,
 * and, for the second, `response`, the browser's answer as JSON.
 */
export type Ceremony =
  | { kind: 'create'; start: (form: FormData) => Promise<PasskeyStart<PublicKeyCredentialCreationOptionsJSON>>; finish: (form: FormData) => Promise<PasskeyDone> }
  | { kind: 'get'; start: (form: FormData) => Promise<PasskeyStart<PublicKeyCredentialRequestOptionsJSON>>; finish: (form: FormData) => Promise<PasskeyDone> };

function formOf(arg: string, response?: unknown): FormData {
  const form = new FormData();
  form.set('arg', arg);
  if (response !== undefined) form.set('response', JSON.stringify(response));
  return form;
}

const CANCELLED = 'The passkey prompt was closed before it finished. Try again when you are ready.';
const UNSUPPORTED = 'This browser cannot use passkeys. Use your password instead.';
/** What the browser's refusals mean here (https://w3c.github.io/webauthn/#sctn-createCredential). */
const REFUSED: Record<string, string> = {
  NotAllowedError: CANCELLED,
  AbortError: CANCELLED,
  InvalidStateError: 'This device holds a passkey for your account already.',
  SecurityError: 'Passkeys need this site to be opened by its name (https://…, or localhost), not an IP address.',
  NotSupportedError: UNSUPPORTED,
};

async function run(ceremony: Ceremony, arg: string): Promise<PasskeyDone> {
  if (!browserSupportsWebAuthn()) return { error: UNSUPPORTED };
  try {
    if (ceremony.kind === 'create') {
      const start = await ceremony.start(formOf(arg));
      if ('error' in start) return start;
      return await ceremony.finish(formOf(arg, await startRegistration({ optionsJSON: start.options })));
    }
    const start = await ceremony.start(formOf(arg));
    if ('error' in start) return start;
    return await ceremony.finish(formOf(arg, await startAuthentication({ optionsJSON: start.options })));
  } catch (error) {
    // The person closed the prompt or it timed out, the device has one already, or the site cannot have passkeys.
    if (error instanceof Error && error.name in REFUSED) return { error: REFUSED[error.name] };
    throw error;
  }
}

/**
 * A button that runs a passkey ceremony and announces how it went. `arg` goes to both actions (an
 * invite's token). A ceremony that signs someone in ends in the action's redirect.
 */
export function PasskeyButton({ label, ceremony, arg = '', id }: { label: string; ceremony: Ceremony; arg?: string; id: string }) {
  const [pending, setPending] = useState(false);
  const [result, setResult] = useState<PasskeyDone>({});
  const click = async () => {
    setPending(true);
    setResult({});
    try {
      setResult(await run(ceremony, arg));
    } finally {
      setPending(false);
    }
  };
  return (
    <div className="space-y-2">
      <button
        type="button"
        onClick={click}
        disabled={pending}
        aria-describedby={`${id}-status`}
        className="inline-flex w-full items-center justify-center gap-2 rounded-md border border-gray-300 bg-white px-4 py-2 text-sm font-semibold text-gray-800 shadow-sm hover:bg-gray-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-700 disabled:cursor-not-allowed disabled:opacity-60 dark:border-gray-600 dark:bg-gray-800 dark:text-gray-100 dark:hover:bg-gray-700"
      >
        {pending && <Spinner />}
        {label}
      </button>
      <p id={`${id}-status`} role="status" aria-live="polite" className={`min-h-5 text-sm ${result.error ? 'text-red-700 dark:text-red-400' : 'text-green-800 dark:text-green-300'}`}>
        {result.error ?? result.done}
      </p>
    </div>
  );
}
