// GET /api/users/{id} – one user (ETag: its version)
// PATCH /api/users/{id} – edit {name?, email?}; If-Match: "<version>" is required (412 when stale)
// DELETE /api/users/{id} – delete a user (204, or 404 when there is no such user)
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, ifMatchVersion, notModified, readJson, requireCaller, userIdParam, versionTag, writer } from '@/lib/server/http';
import { traced, tracedWrite } from '@/lib/server/tracing';
import * as users from '@/lib/server/users';
import { fieldErrorsOf, userChangesSchema } from '@/lib/shared/validation';

type Context = { params: Promise<{ id: string }> };

export async function GET(request: Request, context: Context) {
  try {
    await requireCaller(request);
    const user = await users.getUser(await userIdParam(context.params));
    const headers = { ETag: versionTag(user.version), 'Cache-Control': 'no-cache' };
    if (notModified(request, headers.ETag)) return new Response(null, { status: 304, headers });
    return Response.json(user, { headers });
  } catch (error) {
    return errorResponse(error, request);
  }
}

export async function PATCH(request: Request, context: Context) {
  try {
    return await tracedWrite('edit', async () => {
      const actor = await writer(request);
      const id = await userIdParam(context.params);
      const expected = ifMatchVersion(request);
      const body = await readJson(request);
      const parsed = traced('validate', () => userChangesSchema.safeParse(body));
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
      const user = await users.editUser(id, parsed.data, expected, actor);
      return Response.json(user, { headers: { ETag: versionTag(user.version) } });
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}

export async function DELETE(request: Request, context: Context) {
  try {
    return await tracedWrite('delete', async () => {
      const actor = await writer(request);
      const id = await traced('validate', () => userIdParam(context.params));
      await users.deleteUser(id, actor);
      return new Response(null, { status: 204 });
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}
