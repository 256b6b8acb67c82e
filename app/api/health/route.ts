// GET /api/health – liveness plus the live-update counters operators watch
import { eventStats } from '@/lib/events/stats';

export function GET() {
  return Response.json({ status: 'ok', ...eventStats() }, { headers: { 'Cache-Control': 'no-store' } });
}
