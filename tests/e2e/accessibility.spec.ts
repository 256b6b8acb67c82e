// axe (the accessibility engine behind Lighthouse and most audits) on the dashboard (also with a
// row's inline editor open, showing the stale-edit message, and with a delete's Undo notice) and the edit page, in the light theme
// wide and the dark one (prefers-color-scheme) at phone width (LOOKS in fixtures.ts); and the selection's states (a
// row, the page, the whole view) with the keyboard's focus in the grid.
import AxeBuilder from '@axe-core/playwright';
import { createUser, createUsers, dashboard, expect, LOOKS, patchUser, test, uniqueEmail } from './fixtures';

for (const { colorScheme, width } of LOOKS) {
  test(`the dashboard has no axe violations (${colorScheme}, ${width} px)`, async ({ page, api }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    const user = await createUser(api, 'Ada Lovelace', uniqueEmail('ada'));
    const grace = await createUser(api, 'Grace Hopper', uniqueEmail('grace'));
    const alan = await createUser(api, 'Alan Turing', uniqueEmail('alan'));

    const ui = dashboard(page);
    await page.goto('/');
    await expect(ui.connection).toHaveText('Connected (SSE)');
    const dashboardResults = await new AxeBuilder({ page }).analyze();
    expect(dashboardResults.violations).toEqual([]);

    await ui.editLink('Grace Hopper').click();
    const editor = ui.rowOf(grace.id).getByRole('form');
    await patchUser(api, grace, { name: 'Grace B. Hopper' });
    await editor.getByRole('button', { name: 'Save' }).click();
    await expect(editor.getByRole('status')).toHaveText('Changed by someone else while you were editing: your changes are kept. Check them and save again.');
    const editorResults = await new AxeBuilder({ page }).analyze();
    expect(editorResults.violations).toEqual([]);

    // The notice a delete leaves, with its Undo.
    await ui.deleteButton('Alan Turing').click();
    await expect(page.getByTestId('undo-notice')).toContainText('Deleted Alan Turing');
    // Once the row has faded out (a fading row is not text to read).
    await expect(ui.rowOf(alan.id)).toHaveCount(0);
    const noticeResults = await new AxeBuilder({ page }).analyze();
    expect(noticeResults.violations).toEqual([]);

    await page.goto(`/users/${user.id}/edit`);
    await expect(page.getByRole('heading', { name: 'Edit Ada Lovelace' })).toBeVisible();
    const editResults = await new AxeBuilder({ page }).analyze();
    expect(editResults.violations).toEqual([]);
  });

  test(`the selection has no axe violations (${colorScheme}, ${width} px)`, async ({ page, api }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height: 900 });
    const tag = `Axesel${colorScheme}${width}`;
    await createUsers(api, tag, 55);
    const ui = dashboard(page);
    await page.goto(`/?q=${tag.toLowerCase()}&sort=name&order=asc`);
    await expect(ui.connection).toHaveText('Connected (SSE)');

    // One row, chosen from the keyboard: the grid's focus is on it.
    await ui.checkbox(`${tag} 001`).focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    await expect(ui.checkbox(`${tag} 002`)).toBeChecked();
    await expect(ui.checkbox(`${tag} 002`)).toBeFocused();
    await expect(ui.selectedCount).toHaveText('1 selected');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

    await ui.selectPage.check();
    await expect(ui.selectedCount).toHaveText('50 selected');
    const whole = page.getByRole('button', { name: `Select all 55 users that match “${tag.toLowerCase()}”` });
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await whole.click();
    await expect(ui.selectedCount).toHaveText(`All 55 users that match “${tag.toLowerCase()}” selected`);
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
  });
}
