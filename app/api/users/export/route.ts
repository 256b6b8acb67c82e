// GET /api/users/export?q=&role=&sort=&order= – every user of the view as CSV, in the view's order,
// streamed (lib/server/users/export.ts); with `id=…&id=…` (a selection, at most a page), just those
// users, in the view's order. Anyone who may read the directory may export it.
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, requireCaller } from '@/lib/server/http';
import { exportFileName, exportView } from '@/lib/server/users/export';
import { paramsRecord, viewParamsSchema } from '@/lib/shared/directory/view';
import { fieldErrorsOf, userIdsSchema } from '@/lib/shared/validation';

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const params = new URL(request.url).searchParams;
    const parsed = viewParamsSchema.safeParse(paramsRecord(params));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    const selection = params.has('id') ? userIdsSchema.safeParse(params.getAll('id')) : null;
    if (selection && !selection.success) throw new ValidationError({ id: selection.error.issues.map((issue) => issue.message) });
    const { q, role, sort, order } = parsed.data;
    return new Response(exportView({ q, role, sort, order }, selection?.data), {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${exportFileName()}"`,
        'Cache-Control': 'no-store',
      },
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}
