/**
 * A tiny typed client for the query API (shared/docs/query-api.md). The browser only talks to its
 * own origin; Next proxies /api/* to FastAPI. Every non-2xx answer becomes an `ApiError` carrying
 * the contract's `{"error": {code, message, path, suggestions}}`.
 */
import type {
  ApiErrorBody,
  AuditPage,
  Catalog,
  Health,
  LoginBody,
  Me,
  PatientRecord,
  Query,
  QueryResponse,
  SqlResponse,
} from "./types";

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string | null;
  readonly suggestions: string[];

  private readonly serverRetryable: boolean | null;

  constructor(
    status: number,
    body: {
      code: string;
      message: string;
      path?: string | null;
      suggestions?: string[];
      retryable?: boolean | null;
    },
  ) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.path = body.path ?? null;
    this.suggestions = body.suggestions ?? [];
    this.serverRetryable = body.retryable ?? null;
  }

  /** Worth retrying as is: the server says so, or the network, a 5xx, a database outage. */
  get retryable(): boolean {
    return this.serverRetryable ?? (this.status === 0 || this.status >= 500);
  }

  /** The caller is not signed in (or the session ended): send them to the sign-in page. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** Base URL: empty in the browser (same origin); tests or server code may set API_BASE_URL. */
const baseUrl = (): string =>
  typeof window === "undefined" ? (process.env.API_BASE_URL ?? "http://127.0.0.1:8000") : "";

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "code" in error && "message" in error;
}

async function toApiError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON (e.g. the proxy's own 502/504 page)
  }
  if (isErrorBody(body)) return new ApiError(response.status, body.error);
  // FastAPI's own validation answer: {"detail": [{loc, msg}]}
  if (typeof body === "object" && body !== null && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    const first = Array.isArray(detail) ? (detail[0] as { msg?: string; loc?: unknown[] }) : null;
    if (typeof detail === "string") {
      return new ApiError(response.status, {
        code: response.status === 404 ? "not_found" : "http_error",
        message:
          response.status === 404
            ? `The server has no ${response.url ? new URL(response.url).pathname : "such route"} yet (${detail}).`
            : detail,
      });
    }
    return new ApiError(response.status, {
      code: "invalid_request",
      message: first?.msg ?? (typeof detail === "string" ? detail : "The request was not valid."),
      path: Array.isArray(first?.loc) ? first.loc.join(".") : null,
    });
  }
  // A 5xx without a JSON body comes from the proxy itself: the API process is down.
  const unavailable = response.status >= 500;
  return new ApiError(response.status, {
    code: unavailable ? "service_unavailable" : "http_error",
    message: unavailable
      ? "The analytics service is not reachable right now."
      : `The server answered ${response.status} ${response.statusText}.`.trim(),
  });
}

async function request<T>(path: string, init: RequestInit & RequestOptions = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl()}${path}`, {
      ...init,
      headers: { Accept: "application/json", ...(init.body ? { "Content-Type": "application/json" } : {}) },
      cache: "no-store",
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, {
      code: "network_error",
      message: "Could not reach the server. Check your connection and try again.",
    });
  }
  if (!response.ok) throw await toApiError(response);
  return (await response.json()) as T;
}

export const api = {
  query: (query: Query, options: RequestOptions = {}) =>
    request<QueryResponse>("/api/query", { method: "POST", body: JSON.stringify(query), ...options }),

  querySql: (query: Query, dialect?: string, options: RequestOptions = {}) =>
    request<SqlResponse>(
      `/api/query/sql${dialect ? `?dialect=${encodeURIComponent(dialect)}` : ""}`,
      { method: "POST", body: JSON.stringify(query), ...options },
    ),

  login: (body: LoginBody, options: RequestOptions = {}) =>
    request<Me>("/api/auth/login", { method: "POST", body: JSON.stringify(body), ...options }),

  logout: async (options: RequestOptions = {}): Promise<void> => {
    const response = await fetch(`${baseUrl()}/api/auth/logout`, { method: "POST", cache: "no-store", ...options });
    if (!response.ok && response.status !== 401) throw await toApiError(response);
  },

  me: (options: RequestOptions = {}) => request<Me>("/api/auth/me", options),

  catalog: (options: RequestOptions = {}) => request<Catalog>("/api/catalog", options),

  /** CSV of every patient a listing query matches (staff only; audited as an export). */
  exportPatients: async (query: Query, options: RequestOptions = {}): Promise<{ csv: string; total: number }> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl()}/api/patients/export`, {
        ...options,
        method: "POST",
        headers: { Accept: "text/csv", "Content-Type": "application/json" },
        body: JSON.stringify(query),
        cache: "no-store",
      });
    } catch (cause) {
      if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
      throw new ApiError(0, { code: "network_error", message: "Could not reach the server. Try again." });
    }
    if (!response.ok) throw await toApiError(response);
    const csv = await response.text();
    return { csv, total: Number(response.headers.get("x-total-rows") ?? NaN) };
  },

  /** The audit trail, newest first (managers only). */
  audit: (params: { action?: string; limit?: number; offset?: number } = {}, options: RequestOptions = {}) => {
    const search = new URLSearchParams();
    if (params.action) search.set("action", params.action);
    search.set("limit", String(params.limit ?? 100));
    search.set("offset", String(params.offset ?? 0));
    return request<AuditPage>(`/api/audit?${search.toString()}`, options);
  },

  patient: (id: string, options: RequestOptions = {}) =>
    request<PatientRecord>(`/api/patients/${encodeURIComponent(id)}`, options),

  /** Health answers 503 with a body when the database is down: return that body, not an error. A 503 in the
   *  error shape is the UI's proxy saying the API itself does not answer (`api_unavailable`): an error. */
  health: async (options: RequestOptions = {}): Promise<Health> => {
    const response = await fetch(`${baseUrl()}/api/health`, { cache: "no-store", ...options });
    if (response.status === 200 || response.status === 503) {
      let body: unknown;
      try {
        body = await response.json();
      } catch {
        throw new ApiError(response.status, { code: "http_error", message: "Health answered no JSON." });
      }
      if (body && typeof body === "object" && "error" in body) {
        throw new ApiError(response.status, (body as { error: { code: string; message: string } }).error);
      }
      return body as Health;
    }
    throw await toApiError(response);
  },
};
