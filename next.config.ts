import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './lib/shared/security-headers';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // One copy of prom-client in the process, loaded from node_modules: its default metrics watch
  // the process (GC, event loop), and route bundles each with a copy would watch it twice.
  serverExternalPackages: ['prom-client'],
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
