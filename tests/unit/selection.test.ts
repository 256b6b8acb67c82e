import { describe, expect, it } from 'vitest';
import { NO_SELECTION, onPage, pageState, type Selection, selectPage, toggle } from '@/lib/browser/selection';

const page = [10, 20, 30, 40, 50];

describe('selection', () => {
  it('toggles one row, and makes it the anchor', () => {
    const one = toggle(NO_SELECTION, page, 30);
    expect(one).toEqual({ ids: [30], anchor: 30 });
    expect(toggle(one, page, 30)).toEqual({ ids: [], anchor: 30 });
  });

  it('keeps the ids in the page order, whatever order they were clicked in', () => {
    const clicked = [50, 10, 30].reduce<Selection>((selection, id) => toggle(selection, page, id), NO_SELECTION);
    expect(clicked.ids).toEqual([10, 30, 50]);
  });

  it('selects a range from the anchor with shift, in either direction', () => {
    const down = toggle(toggle(NO_SELECTION, page, 20), page, 40, true);
    expect(down.ids).toEqual([20, 30, 40]);
    const up = toggle(toggle(NO_SELECTION, page, 50), page, 20, true);
    expect(up.ids).toEqual([20, 30, 40, 50]);
  });

  it('clears a range with shift when the clicked row was selected', () => {
    const all = selectPage(toggle(NO_SELECTION, page, 10), page, true);
    const cleared = toggle(all, page, 40, true);
    expect(cleared.ids).toEqual([50]);
  });

  it('treats a shift-click with no anchor (or an anchor gone) as a plain click', () => {
    expect(toggle(NO_SELECTION, page, 30, true).ids).toEqual([30]);
    const stale = onPage(toggle(NO_SELECTION, page, 20), [10, 30, 40]);
    expect(stale.anchor).toBeNull();
    expect(toggle(stale, [10, 30, 40], 40, true).ids).toEqual([40]);
  });

  it('ignores a click on a row not on the page', () => {
    const one = toggle(NO_SELECTION, page, 10);
    expect(toggle(one, page, 99)).toBe(one);
  });

  it('selects the whole page from the header, and clears it', () => {
    const all = selectPage(NO_SELECTION, page, true);
    expect(all.ids).toEqual(page);
    expect(pageState(all, page)).toBe('all');
    expect(selectPage(all, page, false).ids).toEqual([]);
  });

  it('says all, some or none for the header checkbox', () => {
    expect(pageState(NO_SELECTION, page)).toBe('none');
    expect(pageState(toggle(NO_SELECTION, page, 20), page)).toBe('some');
    expect(pageState(NO_SELECTION, [])).toBe('none');
  });

  it('lets a row deleted elsewhere leave the selection, and keeps the rest', () => {
    const selected = selectPage(NO_SELECTION, page, true);
    const after = onPage(selected, [10, 30, 50, 60]);
    expect(after.ids).toEqual([10, 30, 50]);
    // A row that arrived is not selected: "all" is no longer true.
    expect(pageState(after, [10, 30, 50, 60])).toBe('some');
  });

  it('returns the same selection when the page change touches none of it (no re-render)', () => {
    const selected = toggle(NO_SELECTION, page, 20);
    expect(onPage(selected, [5, ...page])).toBe(selected);
  });
});
