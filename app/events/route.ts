// GET /events – live user changes as Server-Sent Events (replays from Last-Event-ID). `npm start`
// serves this same GET through server.ts (lib/server/events/node-server.ts); any Next.js host, as it is.
import { sseResponse } from '@/lib/server/events/sse-response';
import { errorResponse, requireCaller } from '@/lib/server/http';
import { assertStreamAllowed, claimStreamSlot } from '@/lib/server/rate-limit';

export async function GET(request: Request) {
  try {
    const caller = await requireCaller(request);
    await assertStreamAllowed(caller, request.headers);
    const release = await claimStreamSlot(caller, request.headers);
    return sseResponse(request, caller, release);
  } catch (error) {
    return errorResponse(error, request);
  }
}
