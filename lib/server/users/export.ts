import 'server-only';
import { stringify } from 'csv-stringify/sync';
import type { View } from '@/lib/shared/directory/view';
import type { UserDTO } from '@/lib/shared/dto';
import { logger } from '@/lib/server/logger';
import { usersByIds, walkView } from './read';

// A view of the directory as CSV (GET /api/users/export), or a selection of it (`id`s): every matching user in the view's order,
// streamed a batch at a time, so memory stays flat however many there are. csv-stringify quotes what
// needs quoting and neutralises formulas: a cell that begins with =, +, -, @, tab or carriage return
// gets a leading ' so a spreadsheet shows it rather than runs it (OWASP's CSV injection advice).

/** The columns, in order: what an import reads back (name, email, role), then when the user was added. */
export const EXPORT_COLUMNS = ['name', 'email', 'role', 'createdAt'] as const;

const encoder = new TextEncoder();

const csv = (users: UserDTO[]) => stringify(users.map((user) => EXPORT_COLUMNS.map((column) => user[column])), { escape_formulas: true, record_delimiter: 'windows' });

/** `roster-users-2026-12-03.csv`: the file name a browser saves it under. */
export const exportFileName = (now = new Date()) => `roster-users-${now.toISOString().slice(0, 10)}.csv`;

/**
 * The CSV of `view` as a stream: a byte-order mark (so spreadsheets read it as UTF-8), the header
 * row, then the users. Read only as fast as the client takes it; a client that goes away ends the walk.
 */
export function exportView(view: View, ids?: number[]): ReadableStream<Uint8Array> {
  // A selection (at most a page of ids) is one batch; a view is walked a batch at a time.
  const batches = ids ? (async function* () { yield await usersByIds(ids, view); })() : walkView(view);
  let rows = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`\uFEFF${stringify([[...EXPORT_COLUMNS]], { record_delimiter: 'windows' })}`));
    },
    async pull(controller) {
      try {
        const next = await batches.next();
        if (next.done) {
          logger.info({ rows }, 'export done');
          controller.close();
          return;
        }
        rows += next.value.length;
        controller.enqueue(encoder.encode(csv(next.value)));
      } catch (error) {
        logger.error({ err: error, rows }, 'export failed');
        controller.error(error);
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
