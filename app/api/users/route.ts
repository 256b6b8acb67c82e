// GET /api/users?q=&role=&sort=&order=&limit=&cursor= – one page of a view of the directory (ETag, 304)
// POST /api/users – create a user from {name, email}
import { createHash } from 'node:crypto';
import { paramsRecord, type ViewParams, viewParamsSchema } from '@/lib/shared/directory/view';
import type { PageDTO } from '@/lib/shared/dto';
import { ValidationError } from '@/lib/server/errors';
import { hub } from '@/lib/server/events';
import { errorResponse, readJson, requireCaller, writer } from '@/lib/server/http';
import { traced, tracedWrite } from '@/lib/server/tracing';
import * as users from '@/lib/server/users';
import { fieldErrorsOf, userInputSchema } from '@/lib/shared/validation';

/**
 * A page's tag: `"<event id>-<view>-<content>"`. A page changes only through an event, so a poll
 * whose tag names the newest event id costs no query and no hashing of rows, and every instance
 * (which all see the same event ids) gives the same tag. Past newer events, the page is read, and
 * if its rows, total and cursors are what the tag's content part says (events elsewhere in the
 * directory, an import that did not touch this view), the answer is still a 304, with the new tag.
 */
const hash = (value: unknown) => createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 16);
const viewHash = (params: ViewParams) => hash([params.q, params.role, params.sort, params.order, params.limit, params.cursor ?? '']);
const contentHash = (page: PageDTO) => hash([page.users.map((user) => [user.id, user.version]), page.total, page.totalIsExact, page.nextCursor, page.prevCursor]);

/** The tags of If-None-Match, without W/ (proxies that compress make them weak). */
const sentTags = (request: Request) => (request.headers.get('if-none-match') ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const parsed = viewParamsSchema.safeParse(paramsRecord(new URL(request.url).searchParams));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    const lastEventId = hub.lastEventId;
    const view = viewHash(parsed.data);
    const sent = sentTags(request);
    const current = sent.find((tag) => tag.startsWith(`"${lastEventId}-${view}-`));
    if (current) return new Response(null, { status: 304, headers: { ETag: current, 'Cache-Control': 'no-cache', 'X-Last-Event-Id': String(lastEventId) } });
    const page = await users.listUsers(parsed.data);
    // The page may include newer events than the tag's id (read first): its tag says the older one,
    // so the next poll reads again rather than keep a page that misses one.
    const content = `${view}-${contentHash(page)}"`;
    const headers = { ETag: `"${lastEventId}-${content}`, 'Cache-Control': 'no-cache', 'X-Last-Event-Id': String(page.lastEventId) };
    if (sent.some((tag) => tag.endsWith(`-${content}`))) return new Response(null, { status: 304, headers });
    return Response.json(page, { headers });
  } catch (error) {
    return errorResponse(error, request);
  }
}

export async function POST(request: Request) {
  try {
    return await tracedWrite('create', async () => {
      const actor = await writer(request);
      const body = await readJson(request);
      const parsed = traced('validate', () => userInputSchema.safeParse(body));
      if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
      return Response.json(await users.createUser(parsed.data, actor), { status: 201 });
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}
