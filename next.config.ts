import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './lib/shared/security-headers';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
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
