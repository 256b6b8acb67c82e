// POST /api/jobs/{id}/cancel – stops a job between batches; what it committed stays (its report says so).
import { errorResponse, writer } from '@/lib/server/http';
import { requestCancel } from '@/lib/server/jobs';

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    // Not counted against the allowance: stopping work (a bulk delete waiting for that allowance) is always possible.
    const actor = await writer(request, 'application/json', { counted: false });
    return Response.json(await requestCancel((await params).id, actor), { status: 202 });
  } catch (error) {
    return errorResponse(error, request);
  }
}
