// How the dashboard looks where it matters to use it: on a phone-sized screen each row's actions
// are on screen and work; in the dark theme the page is dark.
import type { Locator, Page } from '@playwright/test';
import { countText, createUser, dashboard, expect, test, uniqueEmail } from './fixtures';

const PHONE = { width: 390, height: 844 };

/** Fails unless the element's box lies wholly inside the viewport's width. */
async function expectWithinWidth(element: Locator, width: number): Promise<void> {
  const box = await element.boundingBox();
  expect(box, 'rendered').not.toBeNull();
  expect(box!.width).toBeGreaterThan(0);
  expect(box!.x).toBeGreaterThanOrEqual(0);
  expect(box!.x + box!.width).toBeLessThanOrEqual(width);
}

test('at 390 px wide a row stacks: name, email and date show, and Edit and Delete are on screen and work', async ({ api, openBrowser }) => {
  const user = await createUser(api, 'Maximiliana Longname-Worthington', `maximiliana.longname-worthington.${uniqueEmail('phone')}`);
  const page = await openBrowser({ viewport: PHONE, isMobile: true, hasTouch: true });
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');

  // Nothing sticks out sideways: neither the page nor the table scrolls horizontally.
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  const tableBox = page.locator('table').locator('..');
  expect(await tableBox.evaluate((el) => el.scrollWidth - el.clientWidth)).toBe(0);

  const row = ui.rowOf(user.id);
  for (const part of [row.getByText(user.name), row.getByText(user.email), row.locator('time')]) {
    await expect(part).toBeVisible();
    await expectWithinWidth(part, PHONE.width);
  }
  const edit = ui.editLink(user.name);
  const remove = ui.deleteButton(user.name);
  // The form, the search and the selection's toolbar come first, so a phone scrolls to the row.
  await row.scrollIntoViewIfNeeded();
  for (const action of [edit, remove]) {
    await expect(action).toBeVisible();
    await expect(action).toBeInViewport();
    await expectWithinWidth(action, PHONE.width);
  }

  await edit.tap();
  const form = ui.editForm(user.name);
  await expect(form).toBeVisible();
  await expectWithinWidth(form.getByRole('button', { name: 'Save' }), PHONE.width);
  await form.getByRole('button', { name: 'Cancel' }).tap();
  await expect(form).toHaveCount(0);

  await remove.tap();
  await expect(row).toHaveCount(0);
  await expect(ui.rows).toHaveCount(0);
  await expect(ui.count).toHaveText(countText(0));
});

/** The page's background and text colours as sRGB (whatever colour space the CSS uses). */
async function colours(page: Page): Promise<{ background: number[]; text: number[]; table: number[] }> {
  return page.evaluate(() => {
    const canvas = document.createElement('canvas');
    canvas.width = 1;
    canvas.height = 1;
    const context = canvas.getContext('2d', { willReadFrequently: true })!;
    const rgb = (colour: string) => {
      context.clearRect(0, 0, 1, 1);
      context.fillStyle = colour;
      context.fillRect(0, 0, 1, 1);
      return Array.from(context.getImageData(0, 0, 1, 1).data.slice(0, 3));
    };
    const body = getComputedStyle(document.body);
    const table = document.querySelector('table')?.parentElement;
    return {
      background: rgb(body.backgroundColor),
      text: rgb(body.color),
      table: rgb(table ? getComputedStyle(table).backgroundColor : 'transparent'),
    };
  });
}

/** Relative luminance, 0 (black) to 1 (white). */
function luminance([r = 0, g = 0, b = 0]: number[]): number {
  const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

test('the dark theme follows the system: a dark page and table with light text, where the light theme is light', async ({ api, openBrowser }) => {
  await createUser(api, 'Dora Dark', uniqueEmail('dora'));
  const seen: Record<'light' | 'dark', { background: number[]; text: number[]; table: number[] }> = {
    light: { background: [], text: [], table: [] },
    dark: { background: [], text: [], table: [] },
  };
  for (const colorScheme of ['light', 'dark'] as const) {
    const page = await openBrowser({ colorScheme });
    await page.goto('/');
    await expect(dashboard(page).row('Dora Dark')).toBeVisible();
    seen[colorScheme] = await colours(page);
  }
  expect(luminance(seen.dark.background)).toBeLessThan(0.05);
  expect(luminance(seen.dark.table)).toBeLessThan(0.1);
  expect(luminance(seen.dark.text)).toBeGreaterThan(0.7);
  expect(luminance(seen.light.background)).toBeGreaterThan(0.8);
  expect(luminance(seen.light.text)).toBeLessThan(0.05);
});
