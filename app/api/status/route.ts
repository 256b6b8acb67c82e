// GET /api/status – each instance: streams, dashboards by transport, events/s, delivery p50/p99
// over 5 minutes, Redis. Admins only; the status page (/status) polls it.
import { ForbiddenError } from '@/lib/server/errors';
import { errorResponse, requireCaller } from '@/lib/server/http';
import { statusOfAll } from '@/lib/server/status';

export async function GET(request: Request) {
  try {
    const caller = await requireCaller(request);
    if (caller.role !== 'admin') throw new ForbiddenError('The status page is for admins');
    return Response.json(statusOfAll(), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
