import { NextResponse, type NextRequest } from "next/server";

import { proxyToApi } from "@/lib/api-proxy";
import { SESSION_COOKIE, loginHref } from "@/lib/auth";

/**
 * 1. Proxy /api/* and /openapi.json to FastAPI with the API_PORT in force at *run* time (lib/api-proxy.ts:
 *    the client's address for the API, and 503 `api_unavailable` in the contract's shape while the API is
 *    down). next.config.mjs has rewrites for `next dev`, but `next build` bakes their target into the build.
 * 2. Pages need a session: without the session cookie, go to /login first (the API still decides;
 *    an expired session is caught by the client on its first 401).
 */
export function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/") || pathname === "/openapi.json") {
    return proxyToApi(request);
  }
  if (!request.cookies.has(SESSION_COOKIE)) {
    // A rewrite, not a redirect: Next writes redirect targets on "localhost" (even behind
    // `next start -H 127.0.0.1`), which would move the browser to a host without its cookie. The
    // sign-in form then shows /login?next=… in the address bar itself (login-form.tsx).
    return NextResponse.rewrite(new URL(loginHref(`${pathname}${search}`), request.url));
  }
  return NextResponse.next();
}

export const config = {
  // Everything but Next's own assets, the icon and the sign-in page.
  matcher: ["/api/:path*", "/openapi.json", "/((?!_next/|favicon|icon|login|robots\\.txt).*)"],
};
