// GET /api/metrics – Prometheus text (prom-client): process, requests, imports and the live
// updates; for METRICS_TOKEN and admins.
import { errorResponse, requireMetricsReader } from '@/lib/server/http';
import { prometheusText } from '@/lib/server/metrics';

export async function GET(request: Request) {
  try {
    await requireMetricsReader(request);
    const { text, contentType } = await prometheusText();
    return new Response(text, { headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
