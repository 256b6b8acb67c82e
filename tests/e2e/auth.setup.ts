import { expect, test as setup } from '@playwright/test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, ADMIN_STATE, SESSION_COOKIE } from './credentials';

// Runs once before the dashboard tests (the `setup` project): signs in the way a person does and
// saves the session cookie, so each test's browser starts signed in without repeating the login
// (which is limited to 10 attempts a minute per client).
setup('sign in as the admin through the login form', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Email').fill(ADMIN_EMAIL);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();

  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId('connection-status')).toHaveText('Connected (SSE)');
  const cookies = await page.context().cookies();
  expect(cookies.map((c) => c.name)).toContain(SESSION_COOKIE);
  await page.context().storageState({ path: ADMIN_STATE });
});
