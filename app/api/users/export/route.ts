// GET /api/users/export?q=&role=&sort=&order= – every user of the view as CSV, in the view's order,
// streamed (lib/server/users/export.ts). Anyone who may read the directory may export it.
import { ValidationError } from '@/lib/server/errors';
import { errorResponse, requireCaller } from '@/lib/server/http';
import { exportFileName, exportView } from '@/lib/server/users/export';
import { paramsRecord, viewParamsSchema } from '@/lib/shared/directory/view';
import { fieldErrorsOf } from '@/lib/shared/validation';

export async function GET(request: Request) {
  try {
    await requireCaller(request);
    const parsed = viewParamsSchema.safeParse(paramsRecord(new URL(request.url).searchParams));
    if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error));
    const { q, role, sort, order } = parsed.data;
    return new Response(exportView({ q, role, sort, order }), {
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
