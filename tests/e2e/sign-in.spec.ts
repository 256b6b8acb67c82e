import type { Page } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_NAME, ADMIN_PASSWORD, ANONYMOUS, SESSION_COOKIE } from './credentials';
import { countText, createUser, dashboard, expect, plantSessionToken, sessionCookie, test, uniqueEmail } from './fixtures';

// Every test here starts as a visitor who has not signed in. Each password typed counts against
// the login limit (10 a minute per client, with the setup project's), so few are typed.
test.use({ storageState: ANONYMOUS });

const SESSION_TTL_S = 8 * 60 * 60;

function loginForm(page: Page) {
  return {
    email: page.getByLabel('Email'),
    password: page.getByLabel('Password'),
    submit: page.getByRole('button', { name: 'Sign in', exact: true }),
    message: page.locator('#sign-in-error'),
  };
}

test('an anonymous visit to the dashboard lands on the sign-in page, and a wrong password is refused there', async ({
  page,
  context,
}) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page).toHaveTitle('Sign in · Roster');
  const form = loginForm(page);
  await expect(form.password).toBeVisible();
  // Nothing of the dashboard came along.
  await expect(dashboard(page).connection).toHaveCount(0);
  await expect(dashboard(page).form).toHaveCount(0);

  await form.email.fill(ADMIN_EMAIL);
  await form.password.fill(`${ADMIN_PASSWORD} but wrong`);
  const submittedAt = Date.now();
  await form.submit.click();

  const WRONG = 'That email and password do not match an account that can sign in.';
  await expect(form.message).toHaveText(WRONG);
  // Every failure costs 750 ms on the server, so guessing is slow.
  expect(Date.now() - submittedAt).toBeGreaterThanOrEqual(700);
  await expect(form.password).toHaveAttribute('aria-invalid', 'true');
  await expect(form.password).toHaveAccessibleDescription(WRONG);
  // The email typed stays in its field.
  await expect(form.email).toHaveValue(ADMIN_EMAIL);
  await expect(page).toHaveURL(/\/login$/);
  expect((await context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
});

test('the right password opens the live dashboard; signing out returns to the sign-in page for good', async ({
  page,
  context,
  api,
}) => {
  await page.goto('/login');
  const form = loginForm(page);
  await form.email.fill(ADMIN_EMAIL);
  await form.password.fill(ADMIN_PASSWORD);
  await form.submit.click();

  await expect(page).toHaveURL(/\/$/);
  const ui = dashboard(page);
  // Signed in as a person, by name.
  await expect(page.getByTestId('signed-in-as')).toHaveText(ADMIN_NAME);
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(page.getByText('Authentication is off')).toHaveCount(0);

  // The session cookie: out of reach of scripts, not sent along with cross-site posts, and gone
  // after SESSION_TTL_SECONDS (8 hours by default).
  const session = (await context.cookies()).find((c) => c.name === SESSION_COOKIE);
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
  const expiresInS = (session?.expires ?? 0) - Date.now() / 1000;
  expect(expiresInS).toBeGreaterThan(SESSION_TTL_S - 60);
  expect(expiresInS).toBeLessThanOrEqual(SESSION_TTL_S + 1);
  expect(await page.evaluate(() => document.cookie)).not.toContain(SESSION_COOKIE);

  // Signed in, the page gets live updates.
  const email = uniqueEmail('signedin');
  await createUser(api, 'Signe Din', email);
  await expect(ui.row(email)).toContainText('Signe Din');
  await expect(ui.count).toHaveText(countText(1));

  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await expect(form.password).toBeVisible();
  expect((await context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);

  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByText('Signe Din')).toHaveCount(0);
});

test('a visitor who is signed in already is sent from the sign-in page to the dashboard', async ({ page, context, baseURL }) => {
  const token = plantSessionToken(new Date(Date.now() + 60 * 60_000));
  await context.addCookies([sessionCookie(token, baseURL!)]);
  await page.goto('/login');
  await expect(page).toHaveURL(/\/$/);
  await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
});

test('a made-up session cookie, an expired session or one of an earlier password does not get in', async ({ page, context, baseURL }) => {
  await context.addCookies([sessionCookie('made-up-0123456789abcdefghijklmnopqrstuvwxyz', baseURL!)]);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);

  const earlier = plantSessionToken(new Date(Date.now() + 60 * 60_000), { madeWith: 'scrypt$16$8$1$the-hash-of-the-password-before-it-changed' });
  await context.addCookies([sessionCookie(earlier, baseURL!)]);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);

  const expired = plantSessionToken(new Date(Date.now() - 60_000));
  await context.addCookies([sessionCookie(expired, baseURL!)]);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await expect(loginForm(page).password).toBeVisible();
});
