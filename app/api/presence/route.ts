// POST /api/presence – a tab is here (and editing whom), how it is live, and how long events took
// to reach its screen; answers who is here now. Tabs send one every 20 s (lib/browser/presence.ts);
// `npm start` serves it without Next.js's pipeline (server.ts).
import { browserReporter, errorResponse, readJson } from '@/lib/server/http';
import { ValidationError } from '@/lib/server/errors';
import { applyReport } from '@/lib/server/presence/report';
import { presenceReportSchema } from '@/lib/shared/presence';
import { fieldErrorsOf } from '@/lib/shared/validation';

export async function POST(request: Request) {
  try {
    const caller = await browserReporter(request);
    const report = presenceReportSchema.safeParse(await readJson(request));
    if (!report.success) throw new ValidationError(fieldErrorsOf(report.error));
    return Response.json(applyReport(caller, report.data), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
