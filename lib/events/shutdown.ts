import 'server-only';
import { connections } from '.';

// Next.js waits for open requests before it exits on SIGTERM; SSE streams never finish by
// themselves, so end them, telling each client to reconnect (to another instance, if any).
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => connections.shutdown());
