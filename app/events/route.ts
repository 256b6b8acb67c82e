// GET /events – live user changes as Server-Sent Events (replays from Last-Event-ID)
import { eventStreamResponse } from '@/lib/events/stream';

export function GET(request: Request) {
  return eventStreamResponse(request);
}
