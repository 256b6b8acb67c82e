// What crosses the wire and reaches client components: plain JSON, never Prisma rows.
export type UserDTO = {
  id: number;
  name: string;
  email: string;
  /** ISO 8601, UTC */
  createdAt: string;
};
