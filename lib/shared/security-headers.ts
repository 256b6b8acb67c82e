// The headers every response carries: next.config.ts sets them on what Next.js serves, and
// lib/server/events/node-server.ts on the stream it serves itself under `npm start`.

export const SECURITY_HEADERS: { key: string; value: string }[] = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

/** The API and the stream serve no active content at all (pages get theirs in proxy.ts). */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'";
