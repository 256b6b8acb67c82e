// GET /api/users?q=&role=&sort=&order=&limit=&cursor= – one page of a view of the directory (ETag, 304)
// POST /api/users – create a user from {name, email}
import { createHash } from 'node:crypto';
import { paramsRecord, type ViewParams, viewParamsSchema } from '@/lib/shared/directory/view';
import { ValidationError } from '@/lib/server/errors';
import { hub } from '@/lib/server/events';
import { errorResponse, notModified, readJson, requireCaller, writer } from '@/lib/server/http';
import * as users from '@/lib/server/users';
import { fieldErrorsOf, userInputSchema } from '@/lib/shared/validation';

/**
 * A page changes only through an event, so its tag is the view and the newest event id: a poll
 * that nothing changed for costs no query and no hashing of rows, and every instance (which all
 * see the same event ids) gives the same tag.
 */
function pageTag(params: ViewParams, lastEventId: number): string {
  const view = createHash('sha1').update(JSON.stringify([params.q, params.role, params.sort, params.order, params.limit, params.cursor ?? ''])).digest('base64url');
  return `"${lastEventId}-${view}"`;
}

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const parsed = viewParamsSchema.safeParse(paramsRecord(new URL(request.url).searchParams));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    const lastEventId = hub.lastEventId;
    const etag = pageTag(parsed.data, lastEventId);
    const headers = { ETag: etag, 'Cache-Control': 'no-cache', 'X-Last-Event-Id': String(lastEventId) };
    if (notModified(request, etag)) return new Response(null, { status: 304, headers });
    const page = await users.listUsers(parsed.data);
    // The page may include newer events than the tag's id (read first): its tag says the older one,
    // so the next poll fetches again rather than keep a page that misses one.
    return Response.json(page, { headers });
  } catch (error) {
    return errorResponse(error, request);
  }
}

export async function POST(request: Request) {
  try {
    const actor = await writer(request);
    const parsed = userInputSchema.safeParse(await readJson(request));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    return Response.json(await users.createUser(parsed.data, actor), { status: 201 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
