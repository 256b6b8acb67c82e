// POST /api/jobs/restore {eventId} – brings back what a delete took: the `id` of a delete's activity
// entry (one user's, or a bulk delete's: all its users) as a job; 202 {"job": {…}}
// (lib/server/jobs/restore-job.ts).
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, readJson, writer } from '@/lib/server/http';
import { startRestore } from '@/lib/server/jobs';
import { restoreRequestSchema } from '@/lib/shared/bulk';
import { fieldErrorsOf } from '@/lib/shared/validation';

export async function POST(request: Request) {
  try {
    const { rateKey, ...actor } = await writer(request);
    const body = restoreRequestSchema.safeParse(await readJson(request));
    if (!body.success) throw new ValidationError(fieldErrorsOf(body.error));
    const job = await startRestore(body.data.eventId, actor, rateKey);
    return Response.json({ job }, { status: 202, headers: { Location: `/api/jobs/${job.id}` } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
