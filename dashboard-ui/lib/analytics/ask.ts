/**
 * `POST /api/ask {"question"}` → an answer in words, the queries behind it and an optional chart
 * spec. Without a language model the server's built-in parser answers (`engine: "parser"`, with the
 * question as it was understood in `interpretation`, and `suggestions` when it cannot answer).
 * (Kept here rather than in lib/api/client.ts, which the whole UI shares; errors use its ApiError.)
 */
import { ApiError } from "@/lib/api/client";
import type { components } from "@/lib/api/schema";
import type { Query, QueryResponse } from "@/lib/api/types";

export type AskResponse = components["schemas"]["AskResponse"];
export type AskToolCall = components["schemas"]["AskQuery"];
export type AskChart = components["schemas"]["AskChart"];

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
    steps: typeof data.steps === "number" ? data.steps : 0,
    stopped_by: data.stopped_by ?? null,
    engine: data.engine === "parser" ? "parser" : "llm",
    interpretation: typeof data.interpretation === "string" ? data.interpretation : null,
    suggestions: Array.isArray(data.suggestions) ? data.suggestions.filter((s): s is string => typeof s === "string") : [],
  };
}

/** A query the engine refused (the parser understood the question, the engine cannot run it yet). */
export function refusedBy(call: AskToolCall | undefined): boolean {
  const result = call?.result as { error?: unknown } | undefined;
  return Boolean(result && typeof result === "object" && "error" in result);
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
