// POST /api/users/{id}/invite – a one-time link (7 days) for the user to set their password and sign
// in: 201 {"url", "expiresAt"}. Admins only (403); the user must have a role (409); 404 when there is
// no such user.
import { createInvite } from '@/lib/server/auth/invites';
import { NotFoundError } from '@/lib/server/errors';
import { siteOrigin } from '@/lib/server/cross-site';
import { errorResponse, writer } from '@/lib/server/http';
import { userIdSchema } from '@/lib/shared/validation';

type Context = { params: Promise<{ id: string }> };

export async function POST(request: Request, { params }: Context) {
  try {
    const actor = await writer(request);
    const id = userIdSchema.safeParse((await params).id);
    if (!id.success) throw new NotFoundError('No such user');
    const { token, expiresAt } = await createInvite(id.data, actor);
    return Response.json({ url: `${siteOrigin(request.headers)}/invite/${token}`, expiresAt: expiresAt.toISOString() }, { status: 201 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
