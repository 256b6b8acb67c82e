// GET /api/activity?user=&cursor=&limit= – changes on record, newest first (who, what, when)
import { activityParamsSchema, listActivity } from '@/lib/activity';
import { paramsRecord } from '@/lib/directory/view';
import { ValidationError } from '@/lib/errors';
import { errorResponse, requireCaller } from '@/lib/http';
import { fieldErrorsOf } from '@/lib/validation';

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const parsed = activityParamsSchema.safeParse(paramsRecord(new URL(request.url).searchParams));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    return Response.json(await listActivity(parsed.data), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
