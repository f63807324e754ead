/**
 * `POST /api/ask {"question"}` → an answer in words, the tool calls (queries) behind it and an
 * optional chart spec. 503 `llm_not_configured` means no language model is set up on the server.
 * (Kept here rather than in lib/api/client.ts, which the whole UI shares; errors use its ApiError.)
 */
import { ApiError } from "@/lib/api/client";
import type { Query, QueryResponse } from "@/lib/api/types";

export interface AskToolCall {
  tool: string;
  arguments: Record<string, unknown>;
  result: unknown;
}

export interface AskChart {
  type: string;
  query_index: number;
  x: string;
  y: string | string[];
}

export interface AskResponse {
  answer: string;
  queries: AskToolCall[];
  chart: AskChart | null;
  steps?: unknown;
}

export async function ask(question: string, signal?: AbortSignal): Promise<AskResponse> {
  let response: Response;
  try {
    response = await fetch("/api/ask", {
      method: "POST",
      headers: { Accept: "application/json", "Content-Type": "application/json" },
      body: JSON.stringify({ question }),
      cache: "no-store",
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError(0, { code: "network_error", message: "Could not reach the server. Check your connection and try again." });
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // not JSON
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; path?: string; suggestions?: string[] } } | null)?.error;
    throw new ApiError(response.status, {
      code: error?.code ?? (response.status >= 500 ? "service_unavailable" : "http_error"),
      message: error?.message ?? `The server answered ${response.status}.`,
      path: error?.path ?? null,
      suggestions: error?.suggestions ?? [],
    });
  }
  const data = (body ?? {}) as Partial<AskResponse>;
  return {
    answer: typeof data.answer === "string" ? data.answer : "",
    queries: Array.isArray(data.queries) ? data.queries : [],
    chart: data.chart && typeof data.chart === "object" ? data.chart : null,
    steps: data.steps,
  };
}

/** A tool call's arguments as a contract query, when it is one (it has measures or dimensions). */
export function queryOf(call: AskToolCall): Query | null {
  const args = call.arguments;
  if (!args || typeof args !== "object") return null;
  const inner = (args.query && typeof args.query === "object" ? args.query : args) as Record<string, unknown>;
  return Array.isArray(inner.measures) || Array.isArray(inner.dimensions) ? (inner as Query) : null;
}

/** A tool call's result as a query response, when it is one. */
export function responseOf(call: AskToolCall): QueryResponse | null {
  const r = call.result as { rows?: unknown; columns?: unknown } | null;
  return r && Array.isArray(r.rows) && Array.isArray(r.columns) ? (r as QueryResponse) : null;
}
