// POST /api/users/import?fileName=staff.csv – a CSV body (text/csv) of users to create or update by
// email, run as a job: 202 {"job": {…}} at once; GET /api/jobs/{id} follows it (lib/server/jobs).
// Outside proxy.ts (which would buffer the upload), so it names the request and sets the policy itself.
import { errorResponse, writer } from '@/lib/server/http';
import { importCsv } from '@/lib/server/jobs';
import { logger } from '@/lib/server/logger';
import { API_POLICY } from '@/lib/shared/security-headers';

export async function POST(request: Request) {
  const requestId = crypto.randomUUID();
  logger.info({ requestId, method: 'POST', path: '/api/users/import' }, 'request');
  let response: Response;
  try {
    const actor = { ...(await writer(request, 'text/csv')), requestId };
    const job = await importCsv(request, actor);
    response = Response.json({ job }, { status: 202, headers: { Location: `/api/jobs/${job.id}` } });
  } catch (error) {
    response = errorResponse(error, request);
  }
  response.headers.set('Content-Security-Policy', API_POLICY);
  response.headers.set('X-Request-Id', requestId);
  return response;
}
