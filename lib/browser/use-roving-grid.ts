'use client';

import 'client-only';
import { useLayoutEffect, useRef, type FocusEvent, type KeyboardEvent } from 'react';
import { moveFocus } from '@/lib/browser/grid';

// One tab stop for the whole user table (the ARIA grid pattern): Tab enters it at the control last
// used (at first, the first row's checkbox) and leaves it at the next; arrow keys move inside it.
// Its rows and controls come and go with live events, so the tab stop is set on the DOM after every
// render rather than kept per control in React state. A row without `data-grid-row` (the inline
// editor) keeps its own tab order.

const ROWS = 'tr[data-grid-row]';
const CONTROLS = 'input:not([type="hidden"]):not(:disabled), a[href], button:not(:disabled)';

/** The grid's controls, row by row (the header first). */
function controls(table: HTMLTableElement): HTMLElement[][] {
  return Array.from(table.querySelectorAll<HTMLElement>(ROWS), (row) => Array.from(row.querySelectorAll<HTMLElement>(CONTROLS)));
}

/** Props for the `<table>`: its ref and the handlers; `on` false leaves it a plain table. */
export function useRovingGrid(on: boolean) {
  const table = useRef<HTMLTableElement>(null);
  const current = useRef<HTMLElement | null>(null);

  const tabStop = (cells: HTMLElement[][]) => {
    const all = cells.flat();
    // The control last used while it is still there, else the first row's first control.
    if (!current.current || !all.includes(current.current)) current.current = cells.slice(1).find((row) => row.length > 0)?.[0] ?? all[0] ?? null;
    for (const control of all) control.tabIndex = control === current.current ? 0 : -1;
  };

  useLayoutEffect(() => {
    if (on && table.current) tabStop(controls(table.current));
  });

  const onFocus = (event: FocusEvent<HTMLTableElement>) => {
    if (!on || !table.current) return;
    const cells = controls(table.current);
    const target = event.target as HTMLElement;
    if (!cells.some((row) => row.includes(target))) return;
    current.current = target;
    tabStop(cells);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTableElement>) => {
    if (!on || !table.current || event.altKey || event.metaKey || event.shiftKey) return;
    const cells = controls(table.current);
    const target = event.target as HTMLElement;
    const row = cells.findIndex((controlsOfRow) => controlsOfRow.includes(target));
    if (row === -1) return;
    const next = moveFocus(event.key, event.ctrlKey, { row, col: cells[row]!.indexOf(target) }, cells.map((controlsOfRow) => controlsOfRow.length));
    if (!next) return;
    event.preventDefault();
    cells[next.row]?.[next.col]?.focus();
  };

  return { ref: table, onFocus, onKeyDown };
}
