// POST /api/presence – a tab is here (and editing whom), how it is live, and how long events took
// to reach its screen; answers who is here now. Tabs send one every 20 s (lib/browser/presence.ts);
// `npm start` serves it without Next.js's pipeline (server.ts).
import { browserReporter, errorResponse, readJson } from '@/lib/server/http';
import { ValidationError } from '@/lib/server/errors';
import { walksDone } from '@/lib/server/events/slices';
import { applyReport } from '@/lib/server/presence/report';
import { presenceReportSchema } from '@/lib/shared/presence';
import { fieldErrorsOf } from '@/lib/shared/validation';

/** How long a report waits for a fan-out under way to finish, at most. */
const GIVE_WAY_MS = 1_000;

export async function POST(request: Request) {
  try {
    // Reports can wait a moment; the events every stream is being sent cannot. Its limits count
    // from when it arrived, which is what its tab knows.
    const arrived = Date.now();
    await walksDone(GIVE_WAY_MS);
    const caller = await browserReporter(request);
    const report = presenceReportSchema.safeParse(await readJson(request));
    if (!report.success) throw new ValidationError(fieldErrorsOf(report.error));
    return Response.json(applyReport(caller, report.data, arrived), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
