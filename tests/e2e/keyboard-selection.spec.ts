// The user table from the keyboard: one tab stop (the ARIA grid pattern), arrow keys between rows
// and a row's controls, Space to select, Shift+Space for a range, and the names a screen reader says.
import type { Page } from '@playwright/test';
import { createUsers, dashboard, deleteUser, expect, test } from './fixtures';

/** The accessible name of the focused element, and whether it is inside the user table. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return { label: element?.getAttribute('aria-label') ?? element?.textContent?.trim() ?? '', inTable: element?.closest('table') !== null };
  });

test('the table is one tab stop: arrows move, Space selects, Shift+Space selects a range', async ({ page, api }) => {
  const made = await createUsers(api, 'Keys', 4);
  const ui = dashboard(page);
  await page.goto('/?q=keys&sort=name&order=asc');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  await expect(ui.rows).toHaveCount(4);
  const grid = page.getByRole('grid', { name: 'Users' });
  await expect(grid).toHaveAttribute('aria-multiselectable', 'true');

  // Tab from the search box reaches the table at the first row's checkbox…
  await ui.search.focus();
  for (let presses = 0; presses < 30 && !(await focused(page)).inTable; presses++) await page.keyboard.press('Tab');
  expect(await focused(page)).toEqual({ label: 'Select Keys 001', inTable: true });
  // …and the next Tab leaves it: Edit, Delete and the other rows are not tab stops of their own.
  await page.keyboard.press('Tab');
  expect((await focused(page)).inTable).toBe(false);
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toEqual({ label: 'Select Keys 001', inTable: true });

  await page.keyboard.press('ArrowDown');
  await expect(ui.checkbox('Keys 002')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(ui.checkbox('Keys 002')).toBeChecked();
  await expect(ui.selectedCount).toHaveText('1 selected');
  // A screen reader hears the row as selected.
  await expect(grid.getByRole('row', { selected: true })).toHaveText(/Keys 002/);

  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(ui.checkbox('Keys 004')).toBeFocused();
  await page.keyboard.press('Shift+Space');
  await expect(ui.selectedCount).toHaveText('3 selected');
  await expect(grid.getByRole('row', { selected: true })).toHaveCount(3);
  await expect(ui.checkbox('Keys 001')).not.toBeChecked();

  // Along a row and back up a column: Edit of the row above, then its checkbox.
  await page.keyboard.press('ArrowRight');
  await expect(ui.editLink('Keys 004')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(ui.editLink('Keys 003')).toBeFocused();
  await page.keyboard.press('Home');
  await expect(ui.checkbox('Keys 003')).toBeFocused();
  // Up past the first row: the header's checkbox for the whole page; Ctrl+End: the last row.
  for (let presses = 0; presses < 3; presses++) await page.keyboard.press('ArrowUp');
  await expect(ui.selectPage).toBeFocused();
  await page.keyboard.press('Control+End');
  await expect(ui.checkbox('Keys 004')).toBeFocused();

  // Tab out and back: the table's tab stop is where the keyboard left it.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Shift+Tab');
  await expect(ui.checkbox('Keys 004')).toBeFocused();

  // That row is deleted elsewhere: it leaves the selection, and the tab stop moves to a row still there.
  await deleteUser(api, made[3]?.id ?? 0);
  await expect(ui.rows).toHaveCount(3);
  await expect(ui.selectedCount).toHaveText('2 selected');
  await ui.search.focus();
  for (let presses = 0; presses < 30 && !(await focused(page)).inTable; presses++) await page.keyboard.press('Tab');
  expect(await focused(page)).toEqual({ label: 'Select Keys 001', inTable: true });
});
