import { NextResponse, type NextRequest } from "next/server";

import { SESSION_COOKIE, loginHref } from "@/lib/auth";

/**
 * 1. Proxy /api/* and /openapi.json to FastAPI with the API_PORT in force at *run* time.
 *    next.config.mjs has the same rewrites, but `next build` bakes their target into the build;
 *    this reads the environment of the running `next start` (or `next dev`) instead.
 * 2. Pages need a session: without the session cookie, go to /login first (the API still decides;
 *    an expired session is caught by the client on its first 401).
 */
export function middleware(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  if (pathname.startsWith("/api/") || pathname === "/openapi.json") {
    const host = process.env.API_HOST || "127.0.0.1"; // "api" under docker-compose
    const port = process.env.API_PORT || "8000";
    return NextResponse.rewrite(new URL(`${pathname}${search}`, `http://${host}:${port}`));
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
