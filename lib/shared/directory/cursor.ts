// Keyset cursors: a page starts right after (or ends right before) a row, named by its sort
// value and id, so pages stay put while rows are added elsewhere and page 2,000 costs what page 1
// does. Opaque to clients (base64url JSON). Safe to import on the client.
import { z } from '@/lib/shared/zod';
import type { UserDTO } from '@/lib/shared/dto';
import { type Sort, sortValue, SORTS, type View } from './view';

/** Where a page is: the rows after the anchor row, or the rows before it, in the view's order. */
export type Position = { direction: 'after' | 'before'; key: string; id: number };

const cursorSchema = z.strictObject({
  s: z.enum(SORTS),
  o: z.enum(['asc', 'desc']),
  d: z.enum(['after', 'before']),
  k: z.string().max(600),
  i: z.number().int().positive().max(2 ** 31 - 1),
});

/** A cursor that is not one the server made for this view: the request is refused with 400. */
export class CursorError extends Error {
  constructor() {
    super('cursor is not valid for this view');
    this.name = 'CursorError';
  }
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(text: string): string {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new CursorError();
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}

/** The cursor of the page after (or before) `user` in `view`. */
export function encodeCursor(view: Pick<View, 'sort' | 'order'>, direction: Position['direction'], user: UserDTO): string {
  const payload = { s: view.sort, o: view.order, d: direction, k: sortValue(user, view.sort), i: user.id };
  return toBase64Url(JSON.stringify(payload));
}

/** The position a cursor names; CursorError when it is malformed or made for another sort. */
export function decodeCursor(cursor: string, view: { sort: Sort; order: View['order'] }): Position {
  let parsed: z.infer<typeof cursorSchema>;
  try {
    parsed = cursorSchema.parse(JSON.parse(fromBase64Url(cursor)));
  } catch {
    throw new CursorError();
  }
  if (parsed.s !== view.sort || parsed.o !== view.order) throw new CursorError();
  if (parsed.s === 'createdAt' && Number.isNaN(Date.parse(parsed.k))) throw new CursorError();
  return { direction: parsed.d, key: parsed.k, id: parsed.i };
}
