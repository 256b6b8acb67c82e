// DELETE /api/users/{id} – remove a user (204, or 404 when there is no such user)
import { NotFoundError } from '@/lib/errors';
import { errorResponse, requireCaller } from '@/lib/http';
import { assertWriteAllowed } from '@/lib/rate-limit';
import { removeUser } from '@/lib/users';
import { userIdSchema } from '@/lib/validation';

export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    await requireCaller(request);
    await assertWriteAllowed(request.headers);
    const id = userIdSchema.safeParse((await params).id);
    if (!id.success) throw new NotFoundError('No such user');
    await removeUser(id.data);
    return new Response(null, { status: 204 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
