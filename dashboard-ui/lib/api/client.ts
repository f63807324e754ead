/**
 * The API client: openapi-fetch over the types generated from the API's OpenAPI document
 * (`lib/api/schema.d.ts`, `make openapi`). The browser only talks to its own origin; Next proxies
 * /api/* to FastAPI. Every non-2xx answer becomes an `ApiError` carrying the contract's
 * `{"error": {code, message, path, suggestions}}`; an API that cannot be reached is announced to the
 * status pill (`onApiReachability`).
 */
import createClient from "openapi-fetch";

import type { paths } from "./schema";
import type {
  AuditPage,
  Catalog,
  Health,
  LoginBody,
  Me,
  PatientRecord,
  Query,
  QueryResponse,
  Schedule,
  SqlResponse,
  WireQuery,
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

  /** The API process itself is out of reach (the proxy answered for it, or the network failed). */
  get apiUnreachable(): boolean {
    return this.status === 0 || ["api_unavailable", "network_error", "service_unavailable"].includes(this.code);
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
}

// ---- reachability: the status pill listens, every request reports --------------------------------

type Reachability = "reachable" | "unreachable";
const listeners = new Set<(state: Reachability) => void>();

/** Called with "unreachable" when a request finds the API out of reach, "reachable" when one gets through. */
export function onApiReachability(listener: (state: Reachability) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function report(state: Reachability) {
  for (const listener of listeners) listener(state);
}

// ---- errors --------------------------------------------------------------------------------------

interface ErrorShape {
  error: { code: string; message: string; path?: string | null; suggestions?: string[]; retryable?: boolean | null };
}

function isErrorBody(value: unknown): value is ErrorShape {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === "object" && error !== null && "code" in error && "message" in error;
}

/** An error answer (already parsed, or not JSON at all) as an ApiError. */
function toApiError(response: Response, body: unknown): ApiError {
  if (isErrorBody(body)) return new ApiError(response.status, body.error);
  // FastAPI's own validation answer: {"detail": [{loc, msg}]}
  if (typeof body === "object" && body !== null && "detail" in body) {
    const detail = (body as { detail: unknown }).detail;
    const first = Array.isArray(detail) ? (detail[0] as { msg?: string; loc?: unknown[] }) : null;
    return new ApiError(response.status, {
      code: response.status === 404 ? "not_found" : "invalid_request",
      message: typeof detail === "string" ? detail : (first?.msg ?? "The request was not valid."),
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

function networkError(cause: unknown): never {
  if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
  report("unreachable");
  throw new ApiError(0, { code: "network_error", message: "Could not reach the server. Check your connection and try again." });
}

/** Base URL: empty in the browser (same origin); server code may set API_BASE_URL. */
const baseUrl = (): string =>
  typeof window === "undefined" ? (process.env.API_BASE_URL ?? "http://127.0.0.1:8000") : "";

export const client = createClient<paths>({ baseUrl: baseUrl(), cache: "no-store" });

/** openapi-fetch's answer → its data, or an ApiError (reported to the status pill when the API is away). */
async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (cause) {
    networkError(cause);
  }
  const { data, error, response } = result;
  if (response.ok) {
    report("reachable");
    return data as T;
  }
  const failure = toApiError(response, error);
  report(failure.apiUnreachable ? "unreachable" : "reachable");
  throw failure;
}

/** The engine validates member names (and answers unknown_member with suggestions); the generated type spells
 * each as a literal, which a UI building queries from the catalog at run time cannot: sent as the wire type. */
const wire = (query: Query) => query as unknown as WireQuery;

export const api = {
  query: (query: Query, options: RequestOptions = {}) =>
    unwrap(client.POST("/api/query", { body: wire(query), signal: options.signal })) as Promise<QueryResponse>,

  querySql: (query: Query, dialect?: string, options: RequestOptions = {}): Promise<SqlResponse> =>
    unwrap(
      client.POST("/api/query/sql", {
        body: wire(query),
        params: { query: dialect ? { dialect: dialect as "postgres" | "duckdb" } : {} },
        signal: options.signal,
      }),
    ),

  login: (body: LoginBody, options: RequestOptions = {}): Promise<Me> =>
    unwrap(client.POST("/api/auth/login", { body, signal: options.signal })),

  logout: async (options: RequestOptions = {}): Promise<void> => {
    try {
      const { response, error } = await client.POST("/api/auth/logout", { signal: options.signal });
      if (!response.ok && response.status !== 401) throw toApiError(response, error);
    } catch (cause) {
      if (cause instanceof ApiError) throw cause;
      networkError(cause);
    }
  },

  me: (options: RequestOptions = {}): Promise<Me> => unwrap(client.GET("/api/auth/me", { signal: options.signal })),

  catalog: (options: RequestOptions = {}): Promise<Catalog> =>
    unwrap(client.GET("/api/catalog", { signal: options.signal })),

  /** One day's appointments in time order (the front desk's day; audited as view_schedule). */
  schedule: (date: string | null, options: RequestOptions = {}): Promise<Schedule> =>
    unwrap(client.GET("/api/schedule", { params: { query: date ? { date } : {} }, signal: options.signal })),

  /** CSV of every patient a listing query matches (staff only; audited as an export). */
  exportPatients: async (query: Query, options: RequestOptions = {}): Promise<{ csv: string; total: number }> => {
    let result: { response: Response; data?: unknown; error?: unknown };
    try {
      result = await client.POST("/api/patients/export", {
        body: wire(query),
        parseAs: "text",
        headers: { Accept: "text/csv" },
        signal: options.signal,
      });
    } catch (cause) {
      networkError(cause);
    }
    const { response, data, error } = result;
    if (!response.ok) {
      let body: unknown = error;
      if (typeof error === "string") {
        try {
          body = JSON.parse(error);
        } catch {
          body = null;
        }
      }
      throw toApiError(response, body);
    }
    return { csv: String(data ?? ""), total: Number(response.headers.get("x-total-rows") ?? NaN) };
  },

  /** The audit trail, newest first (managers only). */
  audit: (params: { action?: string; limit?: number; offset?: number } = {}, options: RequestOptions = {}): Promise<AuditPage> =>
    unwrap(
      client.GET("/api/audit", {
        params: { query: { action: params.action || undefined, limit: params.limit ?? 100, offset: params.offset ?? 0 } },
        signal: options.signal,
      }),
    ),

  patient: (id: string, options: RequestOptions = {}): Promise<PatientRecord> =>
    unwrap(client.GET("/api/patients/{patient_id}", { params: { path: { patient_id: id } }, signal: options.signal })),

  /** Health answers 503 with a body when the database is down: that body, not an error. The UI's proxy
   * answers 503 `api_unavailable` when the API itself is down: an ApiError saying so. */
  health: async (options: RequestOptions = {}): Promise<Health> => {
    let result: { response: Response; data?: Health; error?: unknown };
    try {
      result = await client.GET("/api/health", { signal: options.signal });
    } catch (cause) {
      networkError(cause);
    }
    const { response, data, error } = result;
    if (response.ok && data) {
      report("reachable");
      return data;
    }
    if (response.status === 503 && error && typeof error === "object" && "database" in error) {
      report("reachable");
      return error as Health;
    }
    const failure = toApiError(response, error);
    report(failure.apiUnreachable ? "unreachable" : "reachable");
    throw failure;
  },
};
