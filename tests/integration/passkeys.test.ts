// Passkeys (issue 21) on a real `npm start` with its own SQLite file, through the same server
// actions the pages' passkey buttons call, with a software authenticator standing in for the
// browser's (tests/support/authenticator.ts; the e2e tests use Chromium's virtual one). A challenge
// works once and only for what it was made for; a bad signature, a counter gone backwards, a removed
// passkey or a person without a role signs no one in.
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserDTO } from '@/lib/shared/dto';
import { makePerson, type Person } from '../support/accounts';
import { callAction, passkeyStepsOf, readsArgument } from '../support/actions';
import { authHeaders, fetchUser, patchUser, postUser, uniqueEmail } from '../support/api';
import { SoftAuthenticator } from '../support/authenticator';
import { findForm, submitForm } from '../support/html';
import { logEntries, readLog, startServer, type TestServer } from '../support/server';
import { clientAddress, SESSION_COOKIE, signIn } from '../support/session';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server?.stop());

type Start<O> = { options: O } | { error: string };
type Done = { error?: string; done?: string };

/** The two steps of the passkey button on `path`: the options action, then the answer's. */
async function stepsOf(path: string, cookie?: string): Promise<{ start: string; finish: string }> {
  const response = await fetch(`${server.url}${path}`, { headers: cookie ? { Cookie: cookie } : {} });
  expect(response.status).toBe(200);
  return passkeyStepsOf(await response.text());
}

function optionsOf<O>(answer: { value: Start<O> | undefined }): O {
  if (!answer.value || !('options' in answer.value)) throw new Error(`No options: ${JSON.stringify(answer.value)}`);
  return answer.value.options;
}

/** Adds a passkey to the signed-in person's account from /account; the authenticator keeps it. */
async function addPasskey(cookie: string, authenticator: SoftAuthenticator): Promise<Done | undefined> {
  const steps = await stepsOf('/account', cookie);
  expect(readsArgument(steps.start)).toBe(false);
  const headers = { Cookie: cookie };
  const options = optionsOf(await callAction<Start<PublicKeyCredentialCreationOptionsJSON>>(server.url, '/account', steps.start, undefined, headers));
  const response = authenticator.create(options);
  return (await callAction<Done>(server.url, '/account', steps.finish, { arg: '', response: JSON.stringify(response) }, headers)).value;
}

/** A fresh sign-in challenge from /login. */
async function signInOptions(): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; finish: string }> {
  const steps = await stepsOf('/login');
  return { options: optionsOf(await callAction<Start<PublicKeyCredentialRequestOptionsJSON>>(server.url, '/login', steps.start)), finish: steps.finish };
}

/** Sends an answer to the sign-in action: the session cookie it set, or the error it said. */
async function sendSignIn(finish: string, response: AuthenticationResponseJSON): Promise<{ cookie?: string; error?: string; redirect: string | null }> {
  const answer = await callAction<Done>(server.url, '/login', finish, { arg: '', response: JSON.stringify(response) }, { 'X-Forwarded-For': clientAddress() });
  expect(answer.status).toBe(200);
  const cookie = answer.setCookies.map((header) => header.split(';')[0]).find((pair) => pair?.startsWith(`${SESSION_COOKIE}=`) && pair !== `${SESSION_COOKIE}=`);
  return { cookie, error: answer.value?.error, redirect: answer.redirect };
}

const FAILED = 'That passkey could not be checked. Try again, or sign in with your password.';

function storedPasskeys(userId: number): { id: string; counter: number; publicKey: Buffer }[] {
  const db = new Database(server.databaseFile, { readonly: true });
  try {
    return db.prepare('SELECT "id", "counter", "publicKey" FROM "Passkey" WHERE "userId" = ?').all(userId) as { id: string; counter: number; publicKey: Buffer }[];
  } finally {
    db.close();
  }
}

async function personWithPasskey(name: string): Promise<{ person: Person; authenticator: SoftAuthenticator }> {
  const person = await makePerson(server.url, server.databaseFile, name, 'editor');
  const authenticator = new SoftAuthenticator(server.url);
  const added = await addPasskey(await signIn(server.url, person), authenticator);
  expect(added).toEqual({ done: 'Passkey added. You can sign in with it now.' });
  return { person, authenticator };
}

describe('a passkey', () => {
  it('is added from the account page (only its public key is stored) and signs its person in, with a session like a password’s', async () => {
    const { person, authenticator } = await personWithPasskey('Pat Passkey');
    const [stored] = storedPasskeys(person.user.id);
    expect(stored?.id).toBe(authenticator.credentials[0]?.id.toString('base64url'));
    expect(Buffer.from(stored?.publicKey ?? []).equals(Buffer.from(authenticator.credentials[0]?.cose ?? []))).toBe(true);

    const { options, finish } = await signInOptions();
    expect(options.rpId).toBe('127.0.0.1');
    const signedIn = await sendSignIn(finish, authenticator.get(options));
    expect(signedIn.error).toBeUndefined();
    expect(signedIn.redirect).toMatch(/^\/;/);
    const me = await fetch(`${server.url}/account`, { headers: { Cookie: signedIn.cookie ?? '' } });
    expect(await me.text()).toContain(person.email);
    expect(storedPasskeys(person.user.id)[0]?.counter).toBe(1);
    const line = logEntries(await readLog(server.logFile)).find((entry) => entry.msg === 'signed in' && entry.with === 'passkey' && entry.principal === `user:${person.user.id}`);
    expect(line).toBeDefined();
  });

  it('answers each challenge once: the same answer again signs no one in', async () => {
    const { authenticator } = await personWithPasskey('Rae Replay');
    const { options, finish } = await signInOptions();
    const answer = authenticator.get(options);
    expect((await sendSignIn(finish, answer)).cookie).toBeDefined();
    expect(await sendSignIn(finish, answer)).toMatchObject({ cookie: undefined, error: FAILED });
  });

  it('refuses a challenge made for something else, a forged one, a bad signature and a counter gone backwards', async () => {
    const { person, authenticator } = await personWithPasskey('Sam Strict');
    const { options, finish } = await signInOptions();
    // A challenge made to add a passkey, answered as a sign-in.
    const cookie = await signIn(server.url, person);
    const adding = optionsOf(await callAction<Start<PublicKeyCredentialCreationOptionsJSON>>(server.url, '/account', (await stepsOf('/account', cookie)).start, undefined, { Cookie: cookie }));
    expect(await sendSignIn(finish, authenticator.get({ ...options, challenge: adding.challenge }))).toMatchObject({ cookie: undefined, error: FAILED });
    // A challenge of the attacker's own making.
    const forged = Buffer.from(`x.${Date.now() + 60_000}.sign-in.${'A'.repeat(43)}`).toString('base64url');
    expect(await sendSignIn(finish, authenticator.get({ ...options, challenge: forged }))).toMatchObject({ cookie: undefined, error: FAILED });
    // A signature that is not the key's.
    const fresh = await signInOptions();
    const answer = authenticator.get(fresh.options);
    const signature = Buffer.from(answer.response.signature, 'base64url');
    signature[signature.length - 1] = (signature.at(-1) ?? 0) ^ 0xff;
    expect(await sendSignIn(fresh.finish, { ...answer, response: { ...answer.response, signature: signature.toString('base64url') } })).toMatchObject({ cookie: undefined, error: FAILED });
    // A good signature, then one from a copy of the authenticator whose counter is behind.
    expect((await sendSignIn(fresh.finish, authenticator.get((await signInOptions()).options))).cookie).toBeDefined();
    const credential = authenticator.credentials[0];
    if (credential) credential.counter = 0;
    const behind = await signInOptions();
    expect(await sendSignIn(behind.finish, authenticator.get(behind.options))).toMatchObject({ cookie: undefined, error: FAILED });
  });

  it('signs no one in once removed, nor once its person has no role', async () => {
    const { person, authenticator } = await personWithPasskey('Lee Leaving');
    const cookie = await signIn(server.url, person);
    const page = await (await fetch(`${server.url}/account`, { headers: { Cookie: cookie } })).text();
    const removed = await submitForm(`${server.url}/account`, findForm(page, (form) => form.includes('name="passkey"')), {}, { headers: { Cookie: cookie, Origin: server.url }, redirect: 'manual' });
    expect(removed.status).toBe(303);
    expect(storedPasskeys(person.user.id)).toEqual([]);
    const first = await signInOptions();
    expect(await sendSignIn(first.finish, authenticator.get(first.options))).toMatchObject({ cookie: undefined, error: FAILED });

    const { person: kim, authenticator: kims } = await personWithPasskey('Kim Demoted');
    const current = (await (await fetchUser(server.url, kim.user.id)).json()) as UserDTO;
    expect((await patchUser(server.url, kim.user.id, { role: 'none' }, current.version)).status).toBe(200);
    const second = await signInOptions();
    expect(await sendSignIn(second.finish, kims.get(second.options))).toMatchObject({ cookie: undefined, error: FAILED });
  });

  it('can be registered from an invite instead of a password: the link is used, and the person lands signed in', async () => {
    const created = await postUser(server.url, { name: 'Ivy Invited', email: uniqueEmail('ivy'), role: 'viewer' });
    const ivy = (await created.json()) as UserDTO;
    const invite = await fetch(`${server.url}/api/users/${ivy.id}/invite`, { method: 'POST', headers: authHeaders() });
    const path = new URL(((await invite.json()) as { url: string }).url).pathname;
    const token = path.split('/').at(-1) ?? '';
    const steps = await stepsOf(path);
    const options = optionsOf(await callAction<Start<PublicKeyCredentialCreationOptionsJSON>>(server.url, path, steps.start, { arg: token }));
    expect(options.user.name).toBe(ivy.email);
    const authenticator = new SoftAuthenticator(server.url);
    // An answer sent with another invite's token is refused: the challenge names this invite.
    const response = JSON.stringify(authenticator.create(options));
    const wrong = await callAction<Done>(server.url, path, steps.finish, { arg: 'A'.repeat(43), response });
    expect(wrong.value?.error).toBe('This invite link is not valid. Ask an admin for a new one.');
    const accepted = await callAction<Done>(server.url, path, steps.finish, { arg: token, response: JSON.stringify(authenticator.create(optionsOf(await callAction<Start<PublicKeyCredentialCreationOptionsJSON>>(server.url, path, steps.start, { arg: token })))) });
    expect(accepted.redirect).toMatch(/^\/;/);
    expect(accepted.setCookies.some((header) => header.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
    expect(storedPasskeys(ivy.id)).toHaveLength(1);
    expect(await (await fetch(`${server.url}${path}`)).text()).toContain('This invite link has been used already.');
    const { options: again, finish } = await signInOptions();
    expect((await sendSignIn(finish, authenticator.get(again, authenticator.credentials[1]?.id.toString('base64url')))).cookie).toBeDefined();
  });

  it('answers a step with a malformed answer with the same refusal, and a 500 never', async () => {
    const { finish } = await signInOptions();
    for (const response of ['not json', '{}', JSON.stringify({ id: 'x', rawId: 'x', type: 'public-key', response: {}, clientExtensionResults: {} })]) {
      const answer = await callAction<Done>(server.url, '/login', finish, { arg: '', response }, { 'X-Forwarded-For': clientAddress() });
      expect(answer.status).toBe(200);
      expect(answer.value?.error).toBe(FAILED);
      expect(answer.setCookies.some((header) => header.startsWith(`${SESSION_COOKIE}=`))).toBe(false);
    }
  });
});
