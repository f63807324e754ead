// The browser talks to one origin: /api/* and /openapi.json are proxied to the FastAPI server.
// `next dev` reads API_PORT on start. For `next build` + `next start`, Next bakes rewrites into
// .next/routes-manifest.json at build time, so `middleware.ts` re-targets the proxy with the
// API_PORT in force when the server runs (see README/NOTES).
const apiOrigin = () => `http://${process.env.API_HOST ?? "127.0.0.1"}:${process.env.API_PORT ?? 8000}`;

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // Lets a second build or dev server run beside another in the same checkout (default .next).
  distDir: process.env.NEXT_DIST_DIR || ".next",
  poweredByHeader: false,
  async rewrites() {
    return [
      { source: "/api/:path*", destination: `${apiOrigin()}/api/:path*` },
      { source: "/openapi.json", destination: `${apiOrigin()}/openapi.json` },
    ];
  },
  async redirects() {
    return [{ source: "/", destination: "/patients", permanent: false }];
  },
};

export default nextConfig;
