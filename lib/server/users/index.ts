import 'server-only';

// The data layer: the only code that reads or writes users. Reads (read.ts) are keyset pages as of
// one event; writes (write.ts) commit each change with its event; fields.ts maps rows to DTOs.
// Callers import it as a namespace: `users.createUser(…)` beside the action of the same name.

export type { Actor } from '@/lib/server/events/event-log';
export { getUser, listUsers, walkView } from './read';
export { ALREADY_HERE_MESSAGE, createUser, deleteUser, editUser, recordAccess, restoreUser } from './write';
