import { createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

const IMG = '<img src=x onerror=alert(1)>';
// Breaks out of an inline <script> if the server's RSC payload were not escaped.
const SCRIPT = '</script><script>alert(2)</script>';

test('a name that is HTML shows as text — through the form, the stream and the server render — and never runs', async ({
  page,
  api,
}) => {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');

  // 1. The form: the action's result and the re-rendered table.
  const formEmail = uniqueEmail('xss-form');
  await ui.name.fill(IMG);
  await ui.email.fill(formEmail);
  await ui.submit.click();
  await expect(ui.formStatus).toHaveText(`Added ${IMG}.`);
  await expect(ui.nameCell(formEmail)).toHaveText(IMG);

  // 2. The API while the page is open: the row can only arrive through the stream.
  const apiEmail = uniqueEmail('xss-api');
  const scriptEmail = uniqueEmail('xss-script');
  await createUser(api, IMG, apiEmail);
  await createUser(api, SCRIPT, scriptEmail);
  await expect(ui.nameCell(apiEmail)).toHaveText(IMG);
  await expect(ui.nameCell(scriptEmail)).toHaveText(SCRIPT);
  await expect(ui.deleteButton(IMG)).toHaveCount(2); // the name is in the aria-label too, as text

  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  await expect(page.locator('form img, tbody img, tbody script')).toHaveCount(0);

  // 3. The server render of all three: escaped in the HTML and in the inline RSC payload.
  const response = await page.reload();
  const html = (await response?.text()) ?? '';
  expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  expect(html).not.toContain('<img src=x');
  expect(html).not.toContain('<script>alert(2)');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(3);
  for (const [email, name] of [
    [formEmail, IMG],
    [apiEmail, IMG],
    [scriptEmail, SCRIPT],
  ] as const) {
    await expect(ui.nameCell(email)).toHaveText(name);
  }
  await expect(page.locator('img[src="x"]')).toHaveCount(0);
  expect(dialogs).toEqual([]);
});
