import type { UserDTO } from './dto';
import type { UserField } from './validation';

// A stale save (someone else saved the user first) must not lose either person's work: what this
// person changed stays as they typed it, what only the other changed comes in, and where both
// changed one field, theirs is kept in the field with the other's value shown beside it.

type Values = Partial<Record<UserField, string>>;

export type MergedEdit = {
  /** What the form shows next, at the current version. */
  values: Values;
  /** Fields both changed, differently: the value saved meanwhile, to show beside what was typed. */
  conflicts: Values;
};

/** `typed`: the form as sent; `was`: what the form showed when it opened; `current`: the user now. */
export function mergeEdit(typed: Values, was: Values, current: UserDTO): MergedEdit {
  const values: Values = {};
  const conflicts: Values = {};
  for (const [field, mine] of Object.entries(typed) as [UserField, string][]) {
    const theirs = String(current[field]);
    const before = was[field];
    // Unknown starting value (an old form): keep what was typed, and say what is there now.
    const changedByMe = before === undefined || mine !== before;
    values[field] = changedByMe ? mine : theirs;
    if (changedByMe && theirs !== mine && theirs !== before) conflicts[field] = theirs;
  }
  return { values, conflicts };
}
