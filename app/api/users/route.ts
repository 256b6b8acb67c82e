// GET /api/users – every user, newest first (ETag, 304 when unchanged)
// POST /api/users – create a user from {name, email}
import { createHash } from 'node:crypto';
import { ValidationError } from '@/lib/errors';
import { errorResponse, readJson, requireCaller } from '@/lib/http';
import { assertWriteAllowed } from '@/lib/rate-limit';
import { addUser, listUsers } from '@/lib/users';
import { fieldErrorsOf, userInputSchema } from '@/lib/validation';

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const { users, lastEventId } = await listUsers();
    const body = JSON.stringify(users);
    const etag = `"${createHash('sha1').update(body).digest('base64url')}"`;
    const headers = { ETag: etag, 'Cache-Control': 'no-cache', 'X-Last-Event-Id': String(lastEventId) };
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    return new Response(body, { headers: { ...headers, 'Content-Type': 'application/json' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}

export async function POST(request: Request) {
  try {
    await requireCaller(request);
    await assertWriteAllowed(request.headers);
    const parsed = userInputSchema.safeParse(await readJson(request));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    return Response.json(await addUser(parsed.data), { status: 201 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
