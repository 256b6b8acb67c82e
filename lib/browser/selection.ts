import 'client-only';
// Which rows of the dashboard's page are selected, as pure transitions: a click, a shift-click
// (a range from the last row clicked), the header's "all of this page", and the page changing under
// it (a row deleted elsewhere leaves the selection; rows keep their place). Changing the view starts
// a new selection (the table keys it by view). Safe to import on the client.

export type Selection = {
  /** Selected user ids, in the page's order. */
  ids: readonly number[];
  /** The row the last click was on: a shift-click selects from it. */
  anchor: number | null;
};

export const NO_SELECTION: Selection = { ids: [], anchor: null };

/** `ids` in the order of `page`, those no longer on it left out. */
const inPageOrder = (page: readonly number[], ids: ReadonlySet<number>) => page.filter((id) => ids.has(id));

/**
 * A click on row `id`'s checkbox: toggles it; with shift, every row from the anchor to it takes the
 * state the clicked row takes (as in a file manager). The clicked row becomes the anchor.
 */
export function toggle(selection: Selection, page: readonly number[], id: number, range = false): Selection {
  const selected = new Set(selection.ids);
  const on = !selected.has(id);
  const from = range && selection.anchor !== null ? page.indexOf(selection.anchor) : -1;
  const to = page.indexOf(id);
  if (to === -1) return selection;
  const [start, end] = from === -1 ? [to, to] : [Math.min(from, to), Math.max(from, to)];
  for (const row of page.slice(start, end + 1)) {
    if (on) selected.add(row);
    else selected.delete(row);
  }
  return { ids: inPageOrder(page, selected), anchor: id };
}

/** The header's checkbox: every row of the page, or none. */
export function selectPage(selection: Selection, page: readonly number[], on: boolean): Selection {
  return { ids: on ? [...page] : [], anchor: selection.anchor };
}

/** The page as it is now (live events changed it): rows that left it leave the selection. */
export function onPage(selection: Selection, page: readonly number[]): Selection {
  const ids = inPageOrder(page, new Set(selection.ids));
  const anchor = selection.anchor !== null && page.includes(selection.anchor) ? selection.anchor : null;
  return ids.length === selection.ids.length && anchor === selection.anchor ? selection : { ids, anchor };
}

/** The header checkbox's state: all, some (mixed) or none of the page selected. */
export function pageState(selection: Selection, page: readonly number[]): 'all' | 'some' | 'none' {
  if (selection.ids.length === 0 || page.length === 0) return 'none';
  return page.every((id) => selection.ids.includes(id)) ? 'all' : 'some';
}
