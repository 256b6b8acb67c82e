'use client';

import 'client-only';
import { useState } from 'react';
import type { Row } from '@/lib/browser/use-row-transitions';
import { NO_SELECTION, onPage, type Selection } from '@/lib/browser/selection';

/** "Select all 12,345 users that match": the whole view, as seen at `atEventId` (when it had `total` users). */
export type WholeView = { atEventId: number; total: number };

/**
 * The dashboard's checked rows for the page `at` (its view and cursor): another view or page starts
 * afresh; rows that leave the page (deleted here or elsewhere) leave the selection, so its count
 * stays true. `page`: the ids of the rows on it, in order. `whole`: the whole view is selected (set
 * by `selectWhole` while every row of the page is checked; any other choice, or another page, clears it).
 */
export function useSelection(
  rows: Row[],
  at: string,
): { selection: Selection; page: number[]; select: (next: Selection) => void; whole: WholeView | null; selectWhole: (whole: WholeView | null) => void } {
  const [chosen, setChosen] = useState<{ at: string; selection: Selection; whole: WholeView | null }>({ at, selection: NO_SELECTION, whole: null });
  const page = rows.filter((row) => row.phase !== 'leaving').map((row) => row.user.id);
  const current = chosen.at === at;
  const selection = current ? onPage(chosen.selection, page) : NO_SELECTION;
  const whole = current && selection.ids.length > 0 && selection.ids.length === page.length ? chosen.whole : null;
  return {
    selection,
    page,
    select: (next) => setChosen({ at, selection: next, whole: null }),
    whole,
    selectWhole: (next) => setChosen({ at, selection, whole: next }),
  };
}
