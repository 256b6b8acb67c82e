// POST /api/users/{id}/restore – brings a deleted user back as their newest deletion recorded them
// (same id, name, email, role and created time) while the event log holds it (EVENT_RETENTION_DAYS):
// 201 with the user. 404 when no deletion of {id} is on record; 409 when they are back already or
// their email belongs to another user now; 403 for a viewer, and for an editor restoring someone
// with a role (access is for admins). Every dashboard applies it live, like a create.
import { errorResponse, userIdParam, writer } from '@/lib/server/http';
import { tracedWrite } from '@/lib/server/tracing';
import * as users from '@/lib/server/users';

type Context = { params: Promise<{ id: string }> };

export async function POST(request: Request, { params }: Context) {
  try {
    return await tracedWrite('restore', async () => {
      const actor = await writer(request);
      const id = await userIdParam(params);
      return Response.json(await users.restoreUser(id, actor), { status: 201 });
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}
