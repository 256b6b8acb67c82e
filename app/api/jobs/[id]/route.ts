// GET /api/jobs/{id} – a job's state and counts (its starter's, or any for an admin).
import { errorResponse, requireCaller } from '@/lib/server/http';
import { jobFor } from '@/lib/server/jobs';

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const caller = await requireCaller(request);
    return Response.json(await jobFor((await params).id, caller), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, request);
  }
}
