// What a bulk action acts on (POST /api/jobs/delete): a list of ids, or a whole view as it was seen
// — its search and role filter, and the event id its page was read at (users added after it are left
// alone). Safe to import on the client.
import { viewParamsSchema } from './directory/view';
import type { Role } from './roles';
import { roleSchema } from './validation';
import { z } from './zod';

/** The most ids one bulk action names; past that, name the view. */
export const BULK_IDS_MAX = 10_000;

const whole = (message: string) => z.number({ error: message }).int(message).positive(message).max(2 ** 31 - 1, message);

const idsSchema = z.strictObject({
  ids: z
    .array(whole('Each id must be a user id (a positive whole number)'), { error: 'ids must be a list of user ids' })
    .min(1, 'Select the users first')
    .max(BULK_IDS_MAX, `Name at most ${BULK_IDS_MAX.toLocaleString('en-US')} ids; for more, send the view`)
    .transform((ids) => [...new Set(ids)]),
});

const viewSchema = z.strictObject({
  q: viewParamsSchema.shape.q,
  role: viewParamsSchema.shape.role,
  atEventId: whole('atEventId must be the lastEventId of the page the view was seen on'),
  /** How many users the view had when seen: the progress bar's total (optional). */
  total: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

/** `{ids}`, or a view `{q, role, atEventId}`: whichever the body names. */
export const bulkSelectionSchema = z.unknown().transform((body, context): BulkSelection => {
  const schema = typeof body === 'object' && body !== null && 'ids' in body ? idsSchema : viewSchema;
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});

export type BulkSelection = z.infer<typeof idsSchema> | z.infer<typeof viewSchema>;

/** POST /api/jobs/restore: the id of a delete's activity entry (GET /api/activity's `id`). */
export const restoreRequestSchema = z.strictObject({ eventId: whole('eventId must be the id of a delete’s activity entry') });

/** POST /api/jobs/role: a selection (`{ids}` or a view), and the role its users get. */
export const roleChangeSchema = z.unknown().transform((body, context): BulkSelection & { to: Role } => {
  const { to, ...selection } = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : { to: undefined };
  const role = roleSchema.safeParse(to);
  const parsed = bulkSelectionSchema.safeParse(selection);
  if (role.success && parsed.success) return { ...parsed.data, to: role.data };
  if (!role.success) context.addIssue({ code: 'custom', message: role.error.issues[0]?.message ?? 'to must be a role', path: ['to'] });
  if (!parsed.success) for (const issue of parsed.error.issues) context.addIssue({ code: 'custom', message: issue.message, path: issue.path });
  return z.NEVER;
});
