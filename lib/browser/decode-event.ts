import 'client-only';
// Browser side: a user event from its SSE frame, the inverse of lib/server/events/sse.ts's encodeEvent.
import type { HubEvent, UserDTO } from '@/lib/shared/dto';
import type { ImportProgress } from '@/lib/shared/jobs';

/** The SSE event names of user events, for EventSource listeners. */
export const USER_EVENT_TYPES = ['user_created', 'user_updated', 'user_deleted', 'user_restored', 'user_invited', 'user_sessions_ended', 'users_imported'] as const;

/** A user event from its SSE name, `id:` line and `data:` text: encodeEvent's inverse. */
export function decodeEvent(type: HubEvent['type'], lastEventId: string, data: string): HubEvent {
  const eventId = Number(lastEventId);
  if (type === 'user_created' || type === 'user_restored' || type === 'user_invited' || type === 'user_sessions_ended') return { type, user: JSON.parse(data) as UserDTO, eventId };
  if (type === 'users_imported') return { type, ...(JSON.parse(data) as ImportProgress), eventId };
  if (type === 'user_updated') return { type, ...(JSON.parse(data) as { user: UserDTO; previous: UserDTO }), eventId };
  return { type, ...(JSON.parse(data) as { id: number; user: UserDTO }), eventId };
}
