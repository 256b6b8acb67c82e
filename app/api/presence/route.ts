// POST /api/presence – a tab is here (and editing whom), how it is live, and how long events took
// to reach its screen; answers who is here now. Tabs send one every 20 s (lib/browser/presence.ts);
// `npm start` answers them without Next.js's pipeline, or a Web Request and Response (instrumentation.ts).
import { errorResponse, readJson } from '@/lib/server/http';
import { receiveReport } from '@/lib/server/presence/report';

export async function POST(request: Request) {
  try {
    return Response.json(await receiveReport(request, () => readJson(request)), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
