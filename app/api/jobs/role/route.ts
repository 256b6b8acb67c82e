// POST /api/jobs/role – gives a selection a role as a job (admins only): `{ids}` or a view
// `{q, role, atEventId}`, plus `{to}`; 202 {"job": {…}} (lib/server/jobs/role-job.ts).
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, readJson, writer } from '@/lib/server/http';
import { startRoleChange } from '@/lib/server/jobs';
import { roleChangeSchema } from '@/lib/shared/bulk';
import { ADMINS_ONLY_MESSAGE } from '@/lib/shared/roles';
import { fieldErrorsOf } from '@/lib/shared/validation';

export async function POST(request: Request) {
  try {
    const { rateKey, ...actor } = await writer(request, 'application/json', { adminsOnly: ADMINS_ONLY_MESSAGE });
    const body = roleChangeSchema.safeParse(await readJson(request));
    if (!body.success) throw new ValidationError(fieldErrorsOf(body.error));
    const { to, ...selection } = body.data;
    const job = await startRoleChange(selection, to, actor, rateKey);
    return Response.json({ job }, { status: 202, headers: { Location: `/api/jobs/${job.id}` } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
