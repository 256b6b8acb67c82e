'use client';

import 'client-only';
import { useState } from 'react';
import type { Row } from '@/lib/browser/use-row-transitions';
import { NO_SELECTION, onPage, type Selection } from '@/lib/browser/selection';

/**
 * The dashboard's checked rows for the page `at` (its view and cursor): another view or page starts
 * afresh; rows that leave the page (deleted here or elsewhere) leave the selection, so its count
 * stays true. `page`: the ids of the rows on it, in order.
 */
export function useSelection(rows: Row[], at: string): { selection: Selection; page: number[]; select: (next: Selection) => void } {
  const [chosen, setChosen] = useState<{ at: string; selection: Selection }>({ at, selection: NO_SELECTION });
  const page = rows.filter((row) => row.phase !== 'leaving').map((row) => row.user.id);
  const selection = chosen.at === at ? onPage(chosen.selection, page) : NO_SELECTION;
  return { selection, page, select: (next) => setChosen({ at, selection: next }) };
}
