// GET /events – live user changes as Server-Sent Events
import { hub } from '@/lib/events';
import { eventStreamResponse } from '@/lib/events/stream';

export function GET(request: Request) {
  return eventStreamResponse(hub, request.signal);
}
