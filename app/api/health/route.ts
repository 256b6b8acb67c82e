// GET /api/health – liveness plus the live-update counters operators watch. "degraded" still
// answers 200: the instance serves and writes; only live updates across instances wait for Redis
// (a 503 would make a load balancer drop every instance at once for an outage they all share).
import { eventStats } from '@/lib/server/metrics';

export function GET() {
  const stats = eventStats();
  const status = stats.degraded ? 'degraded' : 'ok';
  return Response.json({ status, ...stats }, { headers: { 'Cache-Control': 'no-store' } });
}
