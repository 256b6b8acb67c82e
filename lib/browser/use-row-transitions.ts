'use client';

import 'client-only';
import { useEffect, useState } from 'react';
import type { UserDTO } from '@/lib/shared/dto';

export type Row = { user: UserDTO; phase: 'new' | 'leaving' | 'steady' };

/** A user that just left, and the id of the row it followed (null: it was first). */
type Leaving = { user: UserDTO; after: number | null };

const HIGHLIGHT_MS = 2_000;
const FADE_MS = 500;

/**
 * Rows with their animation phase: users that just arrived or changed (a new version, so an edit
 * that moved the row too) are highlighted for a moment, and users that just left stay on screen,
 * where they were, while they fade out. Works for every source of change (live events, polling, a
 * server render) because it compares successive lists — of one page: when `page` (the view and
 * cursor) changes, the new rows are a different page, not news, and nothing is highlighted.
 */
export function useRowTransitions(users: UserDTO[], page: string): Row[] {
  const [previous, setPrevious] = useState({ users, page });
  const [fresh, setFresh] = useState<ReadonlySet<number>>(new Set());
  const [leaving, setLeaving] = useState<readonly Leaving[]>([]);

  if (previous.users !== users || previous.page !== page) {
    setPrevious({ users, page });
    if (previous.page !== page) {
      setFresh(new Set());
      setLeaving([]);
    } else {
      const now = new Set(users.map((u) => u.id));
      const versions = new Map(previous.users.map((u) => [u.id, u.version]));
      setFresh(new Set([...fresh, ...users.filter((u) => versions.get(u.id) !== u.version).map((u) => u.id)]));
      const left = previous.users.flatMap((user, i) => (now.has(user.id) ? [] : [{ user, after: previous.users[i - 1]?.id ?? null }]));
      setLeaving([...leaving.filter((l) => !now.has(l.user.id)), ...left]);
    }
  }

  // Each timer takes away only the rows it was set for: a change rendered just as it fires (before
  // this effect could reset it) keeps its whole moment instead of a frame. (CI caught an edit that
  // landed 2 s after a create, its highlight gone before anyone could see it.)
  useEffect(() => {
    if (fresh.size === 0) return;
    const timer = setTimeout(() => setFresh((current) => new Set([...current].filter((id) => !fresh.has(id)))), HIGHLIGHT_MS);
    return () => clearTimeout(timer);
  }, [fresh]);

  useEffect(() => {
    if (leaving.length === 0) return;
    const timer = setTimeout(() => setLeaving((current) => current.filter((l) => !leaving.includes(l))), FADE_MS);
    return () => clearTimeout(timer);
  }, [leaving]);

  const rows: Row[] = users.map((user) => ({ user, phase: fresh.has(user.id) ? 'new' : 'steady' }));
  for (const { user, after } of leaving) {
    const at = after === null ? 0 : rows.findIndex((row) => row.user.id === after) + 1;
    rows.splice(at, 0, { user, phase: 'leaving' });
  }
  return rows;
}
