'use client';

import 'client-only';
import { useEffect, useSyncExternalStore } from 'react';
import { firstName, type PersonHere } from '@/lib/shared/presence';
import { openEditor, presenceStore } from './presence';

/** Everyone who has Roster open now (this person included), by name. */
export function usePeopleHere(): PersonHere[] {
  return useSyncExternalStore(presenceStore.subscribe, presenceStore.snapshot, presenceStore.server).people;
}

/** The user ids others (not `me`) are editing, each with their first names. */
export function useOthersEditing(me: number | null): Map<number, string[]> {
  const people = usePeopleHere();
  const names = new Map<number, string[]>();
  for (const person of people) {
    if (person.id === me) continue;
    for (const id of person.editing) names.set(id, [...(names.get(id) ?? []), firstName(person.name)]);
  }
  return names;
}

/** Announces that this user's editor is open, for as long as it is. */
export function useEditorPresence(userId: number): void {
  useEffect(() => openEditor(userId), [userId]);
}
