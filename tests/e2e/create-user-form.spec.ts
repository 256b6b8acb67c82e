import { countText, createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

test.beforeEach(async ({ page }) => {
  await page.goto('/');
  // The form is a React form from here on (not a full-page POST).
  await expect(dashboard(page).connection).toHaveText('Connected (SSE)');
});

test('an empty form shows an error on each field, tied to its input', async ({ page }) => {
  const ui = dashboard(page);
  await ui.submit.click();

  await expect(ui.name).toHaveAttribute('aria-invalid', 'true');
  await expect(ui.name).toHaveAccessibleDescription('Name is required');
  await expect(ui.email).toHaveAttribute('aria-invalid', 'true');
  await expect(ui.email).toHaveAccessibleDescription('Email is required');
  await expect(page.getByText('Name is required')).toBeVisible();
  await expect(page.getByText('Email is required')).toBeVisible();
  await expect(ui.count).toHaveText(countText(0));
});

test('an invalid email is rejected and the typed values are kept', async ({ page }) => {
  const ui = dashboard(page);
  await ui.name.fill('Ivy Invalid');
  await ui.email.fill('ivy-at-example.com');
  await ui.submit.click();

  await expect(ui.email).toHaveAccessibleDescription('Enter a valid email address');
  await expect(ui.email).toHaveAttribute('aria-invalid', 'true');
  await expect(ui.name).not.toHaveAttribute('aria-invalid');
  await expect(ui.name).toHaveValue('Ivy Invalid');
  await expect(ui.email).toHaveValue('ivy-at-example.com');
  await expect(ui.rows).toHaveCount(0);
});

test('a name over 100 characters is rejected', async ({ page }) => {
  const ui = dashboard(page);
  await ui.name.fill('L'.repeat(101));
  await ui.email.fill(uniqueEmail('long'));
  await ui.submit.click();

  await expect(ui.name).toHaveAccessibleDescription('Name must be at most 100 characters');
  await expect(ui.rows).toHaveCount(0);
});

test('an email that differs from an existing one only in case is a duplicate', async ({ page, api }) => {
  const ui = dashboard(page);
  const email = uniqueEmail('dup');
  await createUser(api, 'Dana First', email);
  await expect(ui.count).toHaveText(countText(1));

  await ui.name.fill('Dana Second');
  await ui.email.fill(email.toUpperCase());
  await ui.submit.click();

  await expect(ui.email).toHaveAccessibleDescription('A user with this email already exists');
  await expect(ui.email).toHaveAttribute('aria-invalid', 'true');
  await expect(ui.rows).toHaveCount(1);
  await expect(page.getByText('Dana Second')).toHaveCount(0);
});

test('a valid user is added, the form clears and the errors go away', async ({ page }) => {
  const ui = dashboard(page);
  await ui.submit.click();
  await expect(ui.name).toHaveAttribute('aria-invalid', 'true');

  const email = uniqueEmail('sam');
  await ui.name.fill('  Sam Success  ');
  await ui.email.fill(email);
  await ui.submit.click();

  await expect(ui.formStatus).toHaveText('Added Sam Success.');
  await expect(ui.name).toHaveValue('');
  await expect(ui.email).toHaveValue('');
  await expect(ui.name).not.toHaveAttribute('aria-invalid');
  await expect(ui.email).not.toHaveAttribute('aria-invalid');
  await expect(page.getByText('Name is required')).toHaveCount(0);
  await expect(ui.row(email)).toHaveCount(1);
  await expect(ui.rows.first()).toContainText('Sam Success');
  await expect(ui.count).toHaveText(countText(1));
});
