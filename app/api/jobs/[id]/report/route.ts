// GET /api/jobs/{id}/report – the rows a job could not import, as CSV: line, field, message.
import { errorResponse, requireCaller } from '@/lib/server/http';
import { jobFor, jobReport } from '@/lib/server/jobs';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const caller = await requireCaller(request);
    const job = await jobFor((await params).id, caller);
    const name = `${job.fileName.replace(/\.csv$/i, '').replace(/[^\w.-]+/g, '_')}-report.csv`;
    return new Response(jobReport(job), {
      headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' },
    });
  } catch (error) {
    return errorResponse(error, request);
  }
}
