import type { Connection } from './use-live-users';

const LABELS: Record<Connection, { text: string; dot: string }> = {
  sse: { text: 'Connected (SSE)', dot: 'bg-green-500' },
  polling: { text: 'Connected (Polling)', dot: 'bg-yellow-400' },
  disconnected: { text: 'Disconnected', dot: 'bg-red-500' },
  'signed-out': { text: 'Disconnected', dot: 'bg-red-500' },
};

export function ConnectionStatus({ connection }: { connection: Connection }) {
  const { text, dot } = LABELS[connection];
  return (
    <p role="status" aria-live="polite" data-connection={connection} className="flex items-center gap-2 text-sm text-gray-700">
      <span aria-hidden className={`inline-block size-2.5 rounded-full ${dot}`} />
      <span data-testid="connection-status">{text}</span>
      {connection === 'signed-out' && (
        <span>
          — your session ended.{' '}
          <a href="/login" className="font-medium text-blue-700 underline">
            Sign in again
          </a>
        </span>
      )}
    </p>
  );
}
