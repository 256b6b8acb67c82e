// GET /api/health – liveness plus the live-update counters operators watch
import { hub } from '@/lib/events';

export function GET() {
  return Response.json(
    { status: 'ok', subscribers: hub.subscriberCount, lastEventId: hub.lastEventId },
    { headers: { 'Cache-Control': 'no-store' } },
  );
}
