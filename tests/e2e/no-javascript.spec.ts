import { ADMIN_STATE } from './credentials';
import { countText, dashboard, expect, test, uniqueEmail } from './fixtures';

test('without JavaScript the form still adds a user and the row can be deleted', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: ADMIN_STATE });
  const page = await context.newPage();
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.count).toHaveText(countText(0));

  const email = uniqueEmail('nojs');
  await ui.name.fill('Noah Script');
  await ui.email.fill(email);
  await Promise.all([page.waitForEvent('load'), ui.submit.click()]);

  // A full-page POST: the response is the dashboard with the new row server-rendered.
  await expect(ui.row(email)).toContainText('Noah Script');
  await expect(ui.count).toHaveText(countText(1));
  await expect(ui.formStatus).toHaveText('Added Noah Script.');

  await Promise.all([page.waitForEvent('load'), ui.deleteButton('Noah Script').click()]);
  await expect(ui.row(email)).toHaveCount(0);
  await expect(ui.count).toHaveText(countText(0));

  await context.close();
});
