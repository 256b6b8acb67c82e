// GET /api/users/{id}/activity?cursor=&limit= – one user's history, newest first (kept after a delete)
import { activityFor } from '@/lib/activity';
import { paramsRecord } from '@/lib/directory/view';
import { NotFoundError } from '@/lib/errors';
import { errorResponse, requireCaller } from '@/lib/http';
import { userIdSchema } from '@/lib/validation';

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
