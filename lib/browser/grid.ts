import 'client-only';
// The user table as an ARIA grid with one tab stop (a roving tabindex, lib/browser/use-roving-grid.ts):
// where focus goes for a key, given how many controls each row holds. Arrow keys move between rows
// (keeping the column where the row has it) and between a row's controls; Home/End go to the row's
// first/last control, Ctrl+Home/End to the first/last row. Rows with no control are passed over.

export type Cell = { row: number; col: number };

/** The nearest row from `row` in `step`'s direction that has a control, or null. */
function rowWithControls(widths: readonly number[], row: number, step: 1 | -1): number | null {
  for (let next = row + step; next >= 0 && next < widths.length; next += step) if ((widths[next] ?? 0) > 0) return next;
  return null;
}

/** Where `key` moves focus from `at`, or null when it stays (an edge, or not a grid key). */
export function moveFocus(key: string, ctrl: boolean, at: Cell, widths: readonly number[]): Cell | null {
  const width = widths[at.row] ?? 0;
  const to = (row: number | null, col: number): Cell | null => (row === null ? null : { row, col: Math.min(col, (widths[row] ?? 1) - 1) });
  switch (key) {
    case 'ArrowDown':
      return to(rowWithControls(widths, at.row, 1), at.col);
    case 'ArrowUp':
      return to(rowWithControls(widths, at.row, -1), at.col);
    case 'ArrowRight':
      return at.col < width - 1 ? { row: at.row, col: at.col + 1 } : null;
    case 'ArrowLeft':
      return at.col > 0 ? { row: at.row, col: at.col - 1 } : null;
    case 'Home':
      return ctrl ? to(rowWithControls(widths, -1, 1), 0) : { row: at.row, col: 0 };
    case 'End':
      return ctrl ? to(rowWithControls(widths, widths.length, -1), at.col) : { row: at.row, col: width - 1 };
    default:
      return null;
  }
}
