// POST /api/users/{id}/invite – a one-time link (7 days) for the user to set their password and sign
// in: 201 {"url", "expiresAt", "email"} (email: sent, failed or off, as SMTP_URL is set and the
// server took it). Admins only (403); the user must have a role (409); 404 when there is
// no such user.
import { createInvite, INVITES_ADMINS_ONLY } from '@/lib/server/auth/invites';
import { siteOrigin } from '@/lib/server/cross-site';
import { errorResponse, userIdParam, writer } from '@/lib/server/http';

type Context = { params: Promise<{ id: string }> };

export async function POST(request: Request, { params }: Context) {
  try {
    const actor = await writer(request, 'application/json', { adminsOnly: INVITES_ADMINS_ONLY });
    const id = await userIdParam(params);
    const { url, expiresAt, email } = await createInvite(id, actor, siteOrigin(request.headers));
    return Response.json({ url, expiresAt: expiresAt.toISOString(), email }, { status: 201 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
