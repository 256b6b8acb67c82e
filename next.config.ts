import type { NextConfig } from 'next';
import { hostname, networkInterfaces } from 'node:os';
import { SECURITY_HEADERS } from './lib/shared/security-headers';

/**
 * The hosts `next dev` serves its scripts and hot reload to. Next.js 16 refuses dev resources to
 * any origin but localhost and the --hostname it was started with, so a page opened at 127.0.0.1 or
 * at the "Network" address it prints never hydrates. This machine's own names and addresses are
 * safe to add: a page there is this developer's. Others (a tunnel, a VM's name) go in
 * ALLOWED_DEV_ORIGINS, comma-separated, as allowedDevOrigins takes them.
 */
function devOrigins(extra = ''): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .flatMap((net) => (net ? [net.family === 'IPv6' ? `[${net.address.replace(/%.*$/, '')}]` : net.address] : []));
  return [...new Set(['127.0.0.1', '[::1]', hostname().toLowerCase(), ...addresses, ...extra.split(/[\s,]+/).filter(Boolean)])];
}

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // `next dev` opened at 127.0.0.1, at this machine's network address, or at ALLOWED_DEV_ORIGINS.
  allowedDevOrigins: devOrigins(process.env.ALLOWED_DEV_ORIGINS),
  // One copy of prom-client in the process, loaded from node_modules: its default metrics watch
  // the process (GC, event loop), and route bundles each with a copy would watch it twice.
  // OpenTelemetry's likewise: Next.js's own tracer loads @opentelemetry/api from node_modules, and
  // the app's spans and the SDK (lib/server/tracing-sdk.ts) use that one copy and its provider.
  serverExternalPackages: [
    'prom-client',
    '@opentelemetry/api',
    '@opentelemetry/context-async-hooks',
    '@opentelemetry/core',
    '@opentelemetry/exporter-trace-otlp-http',
    '@opentelemetry/resources',
    '@opentelemetry/sdk-trace',
  ],
  // The Content-Security-Policy is set per request in proxy.ts (pages need a fresh nonce).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: SECURITY_HEADERS,
      },
    ];
  },
};

export default nextConfig;
