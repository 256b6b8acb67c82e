// How the audit trail, logs and limits name who acted: `user:<id>` for a person (signed in through
// any of their sessions), `token:<name>` for an API token, `open` when sign-in is off, `system`
// for Roster itself (the first admin made at start-up). Safe to import on the client.

export const userPrincipal = (id: number): string => `user:${id}`;

/** The person a principal names, or null when it names a token, an open server or Roster itself. */
export function principalUserId(principal: string): number | null {
  const match = /^user:(\d{1,15})$/.exec(principal);
  return match ? Number(match[1]) : null;
}

/** What Roster's own changes are recorded as. */
export const SYSTEM_PRINCIPAL = 'system';
