'use client';

import { createContext, useActionState, useContext, useEffect, useState } from 'react';
import { deleteOrChangeRole, type DeleteUserState, restoreUser, type RestoreUserState } from '@/app/actions';
import { Spinner } from '@/components/spinner';

// Deletes on the dashboard share one action state, held above the table: a row leaves the page as
// soon as its delete is on the stream (before the action answers), so the notice that offers Undo
// cannot live in the row. The forms stay plain forms, so deleting and undoing work without JavaScript.

/** How long "Deleted … · Undo" stays (longer while the pointer or focus is in it). */
export const UNDO_MS = 10_000;

type Deletes = { state: DeleteUserState; action: (formData: FormData) => void };

const DeletesContext = createContext<Deletes | null>(null);

/** The dashboard's delete action, for each row's Delete button (components/delete-user-button.tsx). */
export function useDeletes(): Deletes {
  const deletes = useContext(DeletesContext);
  if (!deletes) throw new Error('useDeletes needs a DeleteActions above it');
  return deletes;
}

/** The notice's box: light text on dark in either theme, as a toast. */
export const TOAST = 'pointer-events-auto rounded-md bg-gray-900 px-4 py-2 text-white shadow-lg dark:bg-gray-700';

const IDLE_DELETE: DeleteUserState = {};
const IDLE_RESTORE: RestoreUserState = {};

/** Holds the dashboard's deletes, and shows the notice of the last one with its Undo. */
export function DeleteActions({ children }: { children: React.ReactNode }) {
  const [state, action] = useActionState(deleteOrChangeRole, IDLE_DELETE);
  return (
    <DeletesContext.Provider value={{ state, action }}>
      <UndoNotice deleted={state.deleted} />
      {children}
    </DeletesContext.Provider>
  );
}

/**
 * "Deleted Ada Lovelace · Undo" (or "Deleted 3 users · Undo") for UNDO_MS after a delete (a new delete starts it afresh), then
 * what the Undo did. A status region that is always there, so screen readers announce it.
 */
function UndoNotice({ deleted }: { deleted: DeleteUserState['deleted'] }) {
  const [restore, restoreAction, restoring] = useActionState(restoreUser, IDLE_RESTORE);
  // The pointer or focus is in it: it stays until they leave.
  const [held, setHeld] = useState(false);
  const [expired, setExpired] = useState(false);
  const [previous, setPrevious] = useState(deleted);
  // What the Undo had done when the shown delete came: an answer since is this notice's.
  const [baseline, setBaseline] = useState(IDLE_RESTORE);
  // A new delete: its notice replaces whatever was shown (state adjusted while rendering, as React advises).
  if (deleted !== previous) {
    setPrevious(deleted);
    setExpired(false);
    setBaseline(restore);
  }
  useEffect(() => {
    if (!deleted) return;
    const timer = setTimeout(() => setExpired(true), UNDO_MS);
    return () => clearTimeout(timer);
  }, [deleted]);
  // Without JavaScript, the page an Undo answers with knows no delete: it says who is back all the same.
  const undone = restore !== baseline && restore.restored && (!deleted || restore.restored.ids.some((id) => deleted.ids.includes(id)));
  const visible = deleted && (!expired || held || restoring);
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="undo-notice"
      onPointerEnter={() => setHeld(true)}
      onPointerLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
      // At the foot of the screen, over the page rather than in it: the table does not move when it comes
      // and goes, and on a phone the rows stay where they were.
      className="pointer-events-none fixed inset-x-0 bottom-4 z-10 flex justify-center px-4 text-sm"
    >
      {visible && deleted && !undone && (
        <form action={restoreAction} className={`${TOAST} flex flex-wrap items-center gap-2`}>
          {deleted.ids.map((id) => (
            <input key={id} type="hidden" name="id" value={id} />
          ))}
          <span>Deleted {deleted.name}</span>
          <span aria-hidden>·</span>
          <button type="submit" disabled={restoring} className="inline-flex items-center gap-1 font-medium text-blue-200 underline focus-visible:outline-2 focus-visible:outline-white">
            {restoring && <Spinner />}
            {restoring ? 'Undoing…' : 'Undo'}
          </button>
          {restore !== baseline && restore.error && <span className="text-red-200">{restore.error}</span>}
        </form>
      )}
      {undone && (
        <span className={TOAST}>
          Restored {restore.restored?.name}.{restore.error && <span className="ml-2 text-red-200">{restore.error}</span>}
        </span>
      )}
    </div>
  );
}
