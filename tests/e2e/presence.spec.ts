// Presence and edit awareness between people in browsers of their own: who is here ("Here now",
// initials named on hover and focus), "Ada is editing" on a row, "Grace is also editing this user"
// in an editor, each coming and going live; and axe on what that adds to the dashboard and the editor.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { ADMIN_NAME, ANONYMOUS } from './credentials';
import { createUser, dashboard, expect, inviteLink, LOOKS, personWithRole, signInThroughInvite, test, uniqueEmail } from './fixtures';

/** How a marker names someone: "Zuzana" from "Zuzana Admin". */
const first = (name: string) => name.split(' ')[0] ?? name;
const ADMIN_FIRST = first(ADMIN_NAME);

/** The name a circle shows on hover and focus: beside it, not in the accessibility tree (the circle's own name says it). */
function tooltipOf(page: Page, label: string) {
  return dashboard(page)
    .hereNow.getByRole('listitem')
    .filter({ has: page.getByRole('img', { name: label, exact: true }) })
    .getByText(label, { exact: true });
}

test('two people in two browsers see each other in "Here now" within 2 s, named on hover and focus; two tabs are one person; a closed page leaves', async ({
  page,
  context,
  api,
  openBrowser,
}) => {
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  // A second tab of the admin's browser: the same person, so still one circle.
  const secondTab = await context.newPage();
  await secondTab.goto('/');
  await expect(dashboard(secondTab).connection).toHaveText('Connected (SSE)');
  await expect(ui.personHere(`${ADMIN_NAME} (you)`)).toHaveText('ZA');

  const grace = await personWithRole(api, 'Grace Hopper', 'editor');
  const theirs = await openBrowser({ storageState: ANONYMOUS });
  const their = dashboard(theirs);
  await theirs.goto(await inviteLink(api, grace.id));
  await theirs.getByLabel('Password').fill('grace’s own password');
  await theirs.getByRole('button', { name: 'Set password and sign in' }).click();
  await expect(theirs).toHaveURL(/\/$/);
  // Her dashboard is open: from now, 2 s for each to see the other.
  const openedAt = Date.now();
  const within2s = () => ({ timeout: Math.max(1, 2_000 - (Date.now() - openedAt)) });
  await expect(ui.personHere('Grace Hopper')).toHaveText('GH', within2s());
  await expect(dashboard(secondTab).personHere('Grace Hopper')).toHaveText('GH', within2s());
  await expect(their.personHere(ADMIN_NAME)).toHaveText('ZA', within2s());
  await expect(their.personHere('Grace Hopper (you)')).toHaveText('GH', within2s());
  // Two tabs, one person.
  await expect(their.personHere(ADMIN_NAME)).toHaveCount(1);
  await expect(ui.personHere(`${ADMIN_NAME} (you)`)).toHaveCount(1);

  // The name shows on keyboard focus, and on hover.
  const adminTip = tooltipOf(theirs, ADMIN_NAME);
  await expect(adminTip).toBeHidden();
  await their.personHere(ADMIN_NAME).focus();
  await expect(adminTip).toBeVisible();
  await their.personHere(ADMIN_NAME).blur();
  await expect(adminTip).toBeHidden();
  const graceTip = tooltipOf(page, 'Grace Hopper');
  await expect(graceTip).toBeHidden();
  await ui.personHere('Grace Hopper').hover();
  await expect(graceTip).toBeVisible();

  // Closing her page says so as it goes: gone in seconds, not after the 25 s a silent tab is kept.
  await theirs.close();
  await expect(ui.personHere('Grace Hopper')).toHaveCount(0, { timeout: 5_000 });
  await expect(dashboard(secondTab).personHere('Grace Hopper')).toHaveCount(0, { timeout: 5_000 });
  await expect(ui.personHere(`${ADMIN_NAME} (you)`)).toHaveCount(1);
});

test('someone who signs out leaves "Here now" at once, the other tab of their browser too, though no tab could say it left', async ({ page, api, openBrowser }) => {
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  const theirs = await openBrowser({ storageState: ANONYMOUS });
  await signInThroughInvite(api, theirs, await personWithRole(api, 'Grace Hopper', 'editor'));
  const otherTab = await theirs.context().newPage();
  await otherTab.goto('/');
  await expect(dashboard(otherTab).personHere(ADMIN_NAME)).toBeVisible();
  await expect(ui.personHere('Grace Hopper')).toBeVisible();

  // Her tabs' leaving reports come after her session ended, and are refused: the sign-out itself takes her off.
  await theirs.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(theirs).toHaveURL(/\/login$/);
  await expect(ui.personHere('Grace Hopper')).toHaveCount(0, { timeout: 5_000 });
  await expect(ui.personHere(`${ADMIN_NAME} (you)`)).toBeVisible();
});

test('an editor open in one browser marks the row in the other; both editors of one user name each other; Cancel takes the marks away', async ({ page, api, openBrowser }) => {
  const edna = await createUser(api, 'Edna Edit', uniqueEmail('edna'));
  const grace = await personWithRole(api, 'Grace Hopper', 'editor');
  const ui = dashboard(page);
  await page.goto('/');
  await expect(ui.connection).toHaveText('Connected (SSE)');
  const theirs = await openBrowser({ storageState: ANONYMOUS });
  const their = dashboard(theirs);
  await signInThroughInvite(api, theirs, grace);
  await expect(their.personHere(ADMIN_NAME)).toBeVisible();
  await expect(their.editingMarker(edna.id)).toHaveCount(0);

  // The admin edits Edna inline: Grace's row of Edna says who, by first name.
  await ui.editLink('Edna Edit').click();
  await expect(ui.editForm('Edna Edit')).toBeVisible();
  await expect(their.editingMarker(edna.id)).toHaveText(`${ADMIN_FIRST} is editing`);
  await expect(ui.alsoEditing).toHaveText('');

  // Grace opens Edna's edit page in another tab: each editor names the other, not themselves.
  const editPage = await theirs.context().newPage();
  await editPage.goto(`/users/${edna.id}/edit`);
  await expect(editPage.getByRole('heading', { name: 'Edit Edna Edit' })).toBeVisible();
  const theirEditor = dashboard(editPage);
  await expect(theirEditor.alsoEditing).toHaveText(`${ADMIN_FIRST} is also editing this user.`);
  await expect(theirEditor.alsoEditing).toHaveRole('status');
  await expect(ui.alsoEditing).toHaveText('Grace is also editing this user.');
  // Her own dashboard still names only the admin on that row.
  await expect(their.editingMarker(edna.id)).toHaveText(`${ADMIN_FIRST} is editing`);

  // The admin cancels: the marks of their editor go, Grace's editor stays named in the admin's row.
  await ui.editForm('Edna Edit').getByRole('button', { name: 'Cancel' }).click();
  await expect(ui.editForm('Edna Edit')).toHaveCount(0);
  await expect(their.editingMarker(edna.id)).toHaveCount(0);
  await expect(theirEditor.alsoEditing).toHaveText('');
  await expect(ui.editingMarker(edna.id)).toHaveText('Grace is editing');

  // And when her edit page closes, the admin's row is unmarked too.
  await editPage.close();
  await expect(ui.editingMarker(edna.id)).toHaveCount(0, { timeout: 5_000 });
});

for (const { colorScheme, width } of LOOKS) {
  test(`the dashboard with two people here and a row marked "is editing", and editors that name each other, have no axe violations (${colorScheme}, ${width} px)`, async ({
    page,
    api,
    openBrowser,
  }) => {
    const viewport = { width, height: 900 };
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize(viewport);
    const edna = await createUser(api, 'Edna Edit', uniqueEmail('edna'));
    const grace = await personWithRole(api, 'Grace Hopper', 'editor');
    const theirs = await openBrowser({ storageState: ANONYMOUS, colorScheme, viewport });
    await signInThroughInvite(api, theirs, grace);
    await theirs.goto(`/users/${edna.id}/edit`);
    await expect(theirs.getByRole('heading', { name: 'Edit Edna Edit' })).toBeVisible();

    const ui = dashboard(page);
    await page.goto('/');
    await expect(ui.connection).toHaveText('Connected (SSE)');
    await expect(ui.personHere('Grace Hopper')).toBeVisible();
    await expect(ui.editingMarker(edna.id)).toHaveText('Grace is editing');
    // With a name showing beside its circle, too.
    await ui.personHere('Grace Hopper').focus();
    await expect(tooltipOf(page, 'Grace Hopper')).toBeVisible();
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);

    await ui.editLink('Edna Edit').click();
    await expect(ui.alsoEditing).toHaveText('Grace is also editing this user.');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await expect(dashboard(theirs).alsoEditing).toHaveText(`${ADMIN_FIRST} is also editing this user.`);
    expect((await new AxeBuilder({ page: theirs }).analyze()).violations).toEqual([]);
  });
}
