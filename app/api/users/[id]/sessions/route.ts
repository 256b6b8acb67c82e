// DELETE /api/users/{id}/sessions – an admin ends every session of a person, on every instance:
// 200 {"ended": <how many>}; their open streams get `expired`. 403 for anyone but an admin; 404.
import { endSessionsOf } from '@/lib/server/auth/accounts';
import { errorResponse, userIdParam, writer } from '@/lib/server/http';
import { ADMINS_ONLY_MESSAGE } from '@/lib/shared/roles';

type Context = { params: Promise<{ id: string }> };

export async function DELETE(request: Request, { params }: Context) {
  try {
    const actor = await writer(request, 'application/json', { adminsOnly: ADMINS_ONLY_MESSAGE });
    const id = await userIdParam(params);
    return Response.json({ ended: await endSessionsOf(id, actor) });
  } catch (error) {
    return errorResponse(error, request);
  }
}
