// Events on the wire. Safe to import on the client.
import type { UserDTO } from '../dto';

export type UserEvent = { type: 'user_created'; user: UserDTO } | { type: 'user_deleted'; id: number };

/** An event once the hub has given it its place in the global order. */
export type HubEvent = UserEvent & { eventId: number };

/** The payload of the first event on every stream. */
export type ConnectedPayload = { lastEventId: number };
