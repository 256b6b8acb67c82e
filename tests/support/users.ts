// Users and events as the server makes them, for tests that build them by hand.
import type { UserDTO, UserEvent } from '@/lib/shared/dto';

/** A user as the API returns it; `overrides` change any field. */
export function aUser(id: number, overrides: Partial<UserDTO> = {}): UserDTO {
  return {
    id,
    name: `User ${id}`,
    email: `user${id}@example.com`,
    role: 'none',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

/** The event of deleting user `id` (as it was: `aUser(id)` unless given). */
export function deletedEvent(id: number, user: UserDTO = aUser(id)): Extract<UserEvent, { type: 'user_deleted' }> {
  return { type: 'user_deleted', id, user };
}
