// GET /api/metrics – the same counters as /api/health, in Prometheus text format
import { prometheusText } from '@/lib/server/metrics';

export function GET() {
  return new Response(prometheusText(), {
    headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Cache-Control': 'no-store' },
  });
}
