// What a person may do in Roster, as a user's `role`. Safe to import on the client.

/** From no access to full: `none` is a directory entry only; the others can sign in. */
export const ROLES = ['none', 'viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABEL: Record<Role, string> = { none: 'No access', viewer: 'Viewer', editor: 'Editor', admin: 'Admin' };

/** Creates, edits and deletes users (the data, not who may do it). */
export const canWrite = (role: Role): boolean => role === 'editor' || role === 'admin';

/** Gives and takes roles: the only role that changes who may do what. */
export const canManageAccess = (role: Role): boolean => role === 'admin';

/** A stored role as a Role: anything else (a hand-edited row) grants nothing. */
export function asRole(value: string): Role {
  return (ROLES as readonly string[]).includes(value) ? (value as Role) : 'none';
}

export const VIEWER_MESSAGE = 'Viewers can look at the directory but not change it.';
export const ADMINS_ONLY_MESSAGE = 'Only an admin can give, change or take away access.';
export const LAST_ADMIN_MESSAGE = 'Roster needs at least one admin: make someone else an admin first.';

/** What the signed-in person's screens offer: write controls, and access controls. */
export type Access = { write: boolean; manage: boolean };

export const accessOf = (role: Role): Access => ({ write: canWrite(role), manage: canManageAccess(role) });
