import AxeBuilder from '@axe-core/playwright';
import type { APIRequestContext, Page } from '@playwright/test';
import type { UserDTO } from '@/lib/shared/dto';
import { ANONYMOUS } from './credentials';
import { dashboard, expect, LOOKS, test, uniqueEmail } from './fixtures';

// Passkeys (issue 21), with Chromium's virtual authenticator (CDP WebAuthn domain) standing in for
// a phone or a security key. A passkey belongs to a host name, never an IP address, so these
// browsers use http://localhost (a secure context) for the server the rest reach at 127.0.0.1.

const LOCALHOST = 'http://localhost:3200';

/** A browser on localhost with an authenticator that holds passkeys and always says yes. */
async function browserWithAuthenticator(openBrowser: (options: object) => Promise<Page>): Promise<Page> {
  const page = await openBrowser({ storageState: ANONYMOUS, baseURL: LOCALHOST });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return page;
}

async function invitedEditor(api: APIRequestContext, name: string): Promise<{ user: UserDTO; link: string }> {
  const created = await api.post('/api/users', { data: { name, email: uniqueEmail('passkey'), role: 'editor' } });
  expect(created.status()).toBe(201);
  const user = (await created.json()) as UserDTO;
  const invite = await api.post(`/api/users/${user.id}/invite`);
  expect(invite.status()).toBe(201);
  const { url } = (await invite.json()) as { url: string };
  return { user, link: `${LOCALHOST}${new URL(url).pathname}` };
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
}

test('an invited person registers a passkey instead of a password, and signs in with it again', async ({ api, openBrowser }) => {
  const { link } = await invitedEditor(api, 'Pat Passkey');
  const page = await browserWithAuthenticator(openBrowser);
  await page.goto(link);
  await page.getByRole('button', { name: 'Register a passkey and sign in' }).click();
  await expect(page).toHaveURL(`${LOCALHOST}/`);
  await expect(page.getByTestId('signed-in-as')).toHaveText('Pat Passkey');
  await expect(dashboard(page).connection).toHaveText('Connected (SSE)');

  // The link worked once.
  const again = await openBrowser({ storageState: ANONYMOUS, baseURL: LOCALHOST });
  await again.goto(link);
  await expect(again.getByText('This invite link has been used already.')).toBeVisible();

  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page).toHaveURL(`${LOCALHOST}/`);
  await expect(page.getByTestId('signed-in-as')).toHaveText('Pat Passkey');
});

test('a signed-in person adds a passkey on their account page, signs in with it, and once it is removed it signs no one in', async ({ api, openBrowser }) => {
  const { link } = await invitedEditor(api, 'Kim Keys');
  const page = await browserWithAuthenticator(openBrowser);
  await page.goto(link);
  await page.getByLabel('Password').fill('kim’s own password');
  await page.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText('Kim Keys');

  await page.getByRole('link', { name: 'Your account' }).click();
  await expect(page).toHaveTitle('Your account · Roster');
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Add a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Passkey added.' })).toBeVisible();
  await expect(page.getByTestId('passkey')).toHaveCount(1);
  await expect(page.getByTestId('passkey')).toContainText('Never');

  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByTestId('signed-in-as')).toHaveText('Kim Keys');
  await page.goto('/account');
  await expect(page.getByTestId('passkey')).not.toContainText('Never');

  await page.getByRole('button', { name: /^Remove passkey 1/ }).click();
  await expect(page.getByText('You have no passkeys yet.')).toBeVisible();
  await signOut(page);
  // The authenticator still offers it; the server no longer knows it.
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'That passkey could not be checked.' })).toBeVisible();
  await expect(page).toHaveURL(/\/login$/);
});

for (const { colorScheme, width } of LOOKS) {
  test(`"Your account" has no axe violations (${colorScheme}, ${width} px)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/account');
    await expect(page.getByRole('heading', { name: 'Passkeys' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Add a passkey' })).toBeVisible();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
