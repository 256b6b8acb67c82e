// POST /api/jobs/delete – deletes a selection as a job: `{ids}` or a view `{q, role, atEventId}`
// (users added after that event are left alone); 202 {"job": {…}} at once, followed over
// GET /api/jobs/{id} and the stream's progress (lib/server/jobs/delete-job.ts).
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, readJson, writer } from '@/lib/server/http';
import { startDelete } from '@/lib/server/jobs';
import { bulkSelectionSchema } from '@/lib/shared/bulk';
import { fieldErrorsOf } from '@/lib/shared/validation';

export async function POST(request: Request) {
  try {
    const { rateKey, ...actor } = await writer(request);
    const selection = bulkSelectionSchema.safeParse(await readJson(request));
    if (!selection.success) throw new ValidationError(fieldErrorsOf(selection.error));
    const job = await startDelete(selection.data, actor, rateKey);
    return Response.json({ job }, { status: 202, headers: { Location: `/api/jobs/${job.id}` } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
