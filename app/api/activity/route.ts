// GET /api/activity?user=|job=&cursor=&limit= – changes on record, newest first (who, what, when)
import { activityFor } from '@/lib/server/activity';
import { paramsRecord } from '@/lib/shared/directory/view';
import { errorResponse, requireCaller } from '@/lib/server/http';

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const page = await activityFor(paramsRecord(new URL(request.url).searchParams));
    return Response.json(page, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
