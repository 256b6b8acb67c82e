'use client';

import { useEffect, useState } from 'react';
import type { UserDTO } from '@/lib/dto';

export type Row = { user: UserDTO; phase: 'new' | 'leaving' | 'steady' };

/** A user that just left, and the id of the row it followed (null: it was first). */
type Leaving = { user: UserDTO; after: number | null };

const HIGHLIGHT_MS = 2_000;
const FADE_MS = 500;

/**
 * Rows with their animation phase: users that just arrived are highlighted for a moment, and
 * users that just left stay on screen, where they were, while they fade out. Works for every
 * source of change (live events, polling, a server render) because it compares successive lists.
 */
export function useRowTransitions(users: UserDTO[]): Row[] {
  const [previous, setPrevious] = useState(users);
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const [leaving, setLeaving] = useState<readonly Leaving[]>([]);

  if (previous !== users) {
    const now = new Set(users.map((u) => u.id));
    const before = new Set(previous.map((u) => u.id));
    setPrevious(users);
    setFresh(new Set([...fresh, ...users.filter((u) => !before.has(u.id)).map((u) => u.id)]));
    const left = previous.flatMap((user, i) => (now.has(user.id) ? [] : [{ user, after: previous[i - 1]?.id ?? null }]));
    setLeaving([...leaving.filter((l) => !now.has(l.user.id)), ...left]);
  }

  useEffect(() => {
    if (fresh.size === 0) return;
    const timer = setTimeout(() => setFresh(new Set()), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [fresh]);

  useEffect(() => {
    if (leaving.length === 0) return;
    const timer = setTimeout(() => setLeaving([]), FADE_MS);
    return () => clearTimeout(timer);
  }, [leaving]);

  const rows: Row[] = users.map((user) => ({ user, phase: fresh.has(user.id) ? 'new' : 'steady' }));
  for (const { user, after } of leaving) {
    const at = after === null ? 0 : rows.findIndex((row) => row.user.id === after) + 1;
    rows.splice(at, 0, { user, phase: 'leaving' });
  }
  return rows;
}
