import AxeBuilder from '@axe-core/playwright';
import { ANONYMOUS } from './credentials';
import { dashboard, expect, LOOKS, plantSessionToken, sessionCookie, test } from './fixtures';

// "Your sessions": every signed-in browser, and "Sign out" on any one of them. The other browser
// here has a session of its own (planted as if Firefox on Windows had signed in), so the admin
// session the other specs share is never ended.
const FIREFOX = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0';

test('signing another browser out from "Your sessions" shows that browser signed out, at once', async ({ browser, page, baseURL }) => {
  const other = await browser.newContext({ storageState: ANONYMOUS, userAgent: FIREFOX });
  await other.addCookies([sessionCookie(plantSessionToken(new Date(Date.now() + 60 * 60_000), { userAgent: FIREFOX, address: '198.51.100.77' }), baseURL!)]);
  const otherPage = await other.newPage();
  await otherPage.goto('/');
  await expect(dashboard(otherPage).connection).toHaveText('Connected (SSE)');

  await page.goto('/');
  await page.getByRole('link', { name: 'Your sessions' }).click();
  await expect(page).toHaveURL(/\/account\/sessions$/);
  await expect(page.getByRole('heading', { name: 'Your sessions' })).toBeVisible();
  const theirs = page.getByRole('row').filter({ hasText: '198.51.100.77' });
  await expect(theirs).toContainText('Firefox 140 on Windows');
  await expect(page.getByRole('row').filter({ hasText: 'This browser' })).toHaveCount(1);

  await theirs.getByRole('button', { name: /^Sign out Firefox 140 on Windows/ }).click();
  await expect(page.getByRole('row').filter({ hasText: '198.51.100.77' })).toHaveCount(0);
  const status = otherPage.getByRole('status').filter({ has: dashboard(otherPage).connection });
  await expect(status).toHaveText(/^Disconnected\s*— your session ended\. Sign in again$/, { timeout: 3_000 });
  await other.close();
});

for (const { colorScheme, width } of LOOKS) {
  test(`"Your sessions" has no axe violations (${colorScheme}, ${width} px)`, async ({ page }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/account/sessions');
    await expect(page.getByRole('row').filter({ hasText: 'This browser' })).toHaveCount(1);
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
