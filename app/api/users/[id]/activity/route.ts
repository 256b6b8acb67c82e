// GET /api/users/{id}/activity?cursor=&limit= – one user's history, newest first (kept after a delete)
import { activityFor } from '@/lib/server/activity';
import { paramsRecord } from '@/lib/shared/directory/view';
import { NotFoundError } from '@/lib/server/errors';
import { errorResponse, requireCaller } from '@/lib/server/http';
import { userIdSchema } from '@/lib/shared/validation';

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Context) {
  try {
    await requireCaller(request);
    const id = (await params).id;
    if (!userIdSchema.safeParse(id).success) throw new NotFoundError('No such user');
    const page = await activityFor({ ...paramsRecord(new URL(request.url).searchParams), user: id });
    return Response.json(page, { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
