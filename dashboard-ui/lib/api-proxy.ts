/**
 * The /api proxy (called by middleware.ts): each request forwarded to FastAPI with the API_HOST/API_PORT in
 * force at run time, the browser's address attached for the API's sign-in limits and audit trail, and an
 * API that does not answer turned into a 503 `api_unavailable` in the contract's error shape.
 *
 * The address: server.mjs writes the socket's peer into X-Forwarded-For and marks it with a token of its own
 * (MEDSPA_PEER_TOKEN); only then is it forwarded, with X-Medspa-Proxy: PROXY_SECRET, which the API checks
 * (service/client_address.py). Any X-Forwarded-* or X-Medspa-* header the browser sent is dropped.
 *
 * An outage is logged once, when it starts (and once more when the API answers again), not per request.
 */
import type { NextRequest } from "next/server";

// Hop-by-hop headers, and those the proxy sets itself.
const DROPPED_REQUEST_HEADERS = [
  "connection", "keep-alive", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host",
  "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-port", "x-forwarded-proto", "x-real-ip",
  "x-medspa-peer", "x-medspa-proxy",
];
// fetch() hands back a decoded body: its encoding and length no longer apply.
const DROPPED_RESPONSE_HEADERS = ["connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length"];
// No headers from the API within this: it is taken as not answering (a query's own limit is 15 s).
const HEADERS_TIMEOUT_MS = 30_000;

let outageSince: number | null = null;

function apiOrigin(): string {
  const host = process.env.API_HOST || "127.0.0.1"; // "api" under docker-compose
  const port = process.env.API_PORT || "8000";
  return `http://${host}:${port}`;
}

function forwardedHeaders(request: NextRequest): Headers {
  const headers = new Headers(request.headers);
  const token = process.env.MEDSPA_PEER_TOKEN;
  const pinned = token !== undefined && request.headers.get("x-medspa-peer") === token;
  const address = pinned ? request.headers.get("x-forwarded-for") : null;
  for (const name of DROPPED_REQUEST_HEADERS) headers.delete(name);
  const secret = process.env.PROXY_SECRET;
  if (address && secret) {
    headers.set("x-forwarded-for", address);
    headers.set("x-medspa-proxy", secret);
  }
  return headers;
}

function unavailable(): Response {
  const body = {
    error: {
      code: "api_unavailable",
      message: "the analytics API is not answering right now; retry shortly",
      path: null,
      suggestions: [],
      retryable: true,
    },
  };
  return new Response(JSON.stringify(body), {
    status: 503,
    headers: { "content-type": "application/json", "cache-control": "no-store", "retry-after": "1" },
  });
}

function noteOutage(origin: string, error: unknown): void {
  if (outageSince !== null) return;
  outageSince = Date.now();
  const cause = error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.name) : "error";
  console.error(`api_unavailable: ${origin} is not answering (${cause}); answering 503 until it does`);
}

function noteRecovery(origin: string): void {
  if (outageSince === null) return;
  console.error(`api_available: ${origin} answers again after ${Math.round((Date.now() - outageSince) / 1000)} s`);
  outageSince = null;
}

export async function proxyToApi(request: NextRequest): Promise<Response> {
  const { pathname, search } = request.nextUrl;
  const origin = apiOrigin();
  const method = request.method.toUpperCase();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), HEADERS_TIMEOUT_MS);
  let upstream: Response;
  try {
    upstream = await fetch(`${origin}${pathname}${search}`, {
      method,
      headers: forwardedHeaders(request),
      body: method === "GET" || method === "HEAD" ? undefined : request.body,
      redirect: "manual",
      cache: "no-store",
      signal: abort.signal,
      duplex: "half", // a streamed request body (Node's fetch requires saying so)
    } as RequestInit);
  } catch (error) {
    noteOutage(origin, error);
    return unavailable();
  } finally {
    clearTimeout(timer);
  }
  noteRecovery(origin);
  const headers = new Headers();
  upstream.headers.forEach((value, name) => {
    if (name !== "set-cookie" && !DROPPED_RESPONSE_HEADERS.includes(name)) headers.set(name, value);
  });
  for (const cookie of upstream.headers.getSetCookie()) headers.append("set-cookie", cookie);
  return new Response(method === "HEAD" ? null : upstream.body, { status: upstream.status, headers });
}
