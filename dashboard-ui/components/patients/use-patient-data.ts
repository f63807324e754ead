"use client";

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";

import { api, ApiError } from "@/lib/api/client";
import type { Query, QueryResponse } from "@/lib/api/types";

import { countQuery, QUICK_VIEWS } from "./query";
import type { PatientFilters, ViewId } from "./search-params";

/** The data's "now" (meta.as_of of the engine's default), which every relative view resolves against. */
export function useAsOf() {
  return useQuery({
    queryKey: ["as_of"],
    queryFn: ({ signal }) => api.query({ dimensions: ["patient.id"], limit: 0 }, { signal }),
    select: (response) => response.meta.as_of,
    staleTime: 5 * 60_000,
  });
}

/**
 * Keyset cursors (semantic/keyset.py), so that a deep page costs one index seek instead of a walk past every
 * row before it: each page answered leaves the cursor of the page after it (`meta.next_cursor`, sent as
 * `after`) and of the page before it (`meta.prev_cursor`, sent as `before`), keyed by the query and the
 * offset they lead to. Last is `before: "end"` (with the last page's own size, so pages keep their
 * boundaries). Page jumps no cursor leads to use the offset; a refused cursor (the data's as_of moved)
 * falls back to it too.
 */
const after = new Map<string, string>();
const before = new Map<string, string>();
const totals = new Map<string, number>();
const MAX_CURSORS = 500;

function queryKey(query: Query): string {
  return JSON.stringify({ ...query, offset: undefined, after: undefined, before: undefined });
}

function pageKey(query: Query, offset: number): string {
  return `${queryKey(query)}@${offset}`;
}

function remember(map: Map<string, string>, key: string, cursor: string | null | undefined) {
  if (!cursor) return;
  if (map.size >= MAX_CURSORS) map.clear();
  map.set(key, cursor);
}

/** The request that reads `query`'s page most cheaply, with the cursors and total known so far. */
function cheapest(query: Query): Query | null {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 0;
  if (offset === 0 || limit === 0) return null;
  const next = after.get(pageKey(query, offset));
  if (next) return { ...query, offset: 0, after: next };
  const previous = before.get(pageKey(query, offset));
  if (previous) return { ...query, offset: 0, before: previous };
  const total = totals.get(queryKey(query));
  if (total !== undefined && offset < total && offset + limit >= total) {
    return { ...query, offset: 0, limit: total - offset, before: "end" };
  }
  return null;
}

async function fetchPage(query: Query, signal: AbortSignal): Promise<QueryResponse> {
  const offset = query.offset ?? 0;
  const request = cheapest(query);
  let response: QueryResponse | null = null;
  if (request) {
    try {
      response = await api.query(request, { signal });
      // the last page by its size: only while the listing still has the rows it had
      if (request.before === "end" && response.total_rows !== totals.get(queryKey(query))) response = null;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "invalid_cursor")) throw error;
      after.clear();
      before.clear();
    }
  }
  response ??= await api.query(query, { signal });
  totals.set(queryKey(query), response.total_rows);
  if (query.limit) {
    remember(after, pageKey(query, offset + query.limit), response.meta.next_cursor);
    if (offset >= query.limit) remember(before, pageKey(query, offset - query.limit), response.meta.prev_cursor);
  }
  return response;
}

/** One page of patients. Keeps the previous page on screen while the next one loads. */
export function usePatientList(query: Query | null) {
  return useQuery({
    queryKey: ["patients", "list", query],
    queryFn: ({ signal }) => fetchPage(query!, signal),
    enabled: query !== null,
    placeholderData: keepPreviousData,
  });
}

/** total_rows of every quick view under the current chips and search (limit 0 queries). */
export function useViewCounts(filters: PatientFilters, search: string, asOf: string | null) {
  const results = useQueries({
    queries: QUICK_VIEWS.map((view) => {
      const query = countQuery(view.id, filters, search, asOf);
      return {
        queryKey: ["patients", "count", query ?? view.id],
        queryFn: ({ signal }: { signal: AbortSignal }) => api.query(query!, { signal }),
        enabled: query !== null,
        placeholderData: keepPreviousData,
        select: (response: { total_rows: number }) => response.total_rows,
      };
    }),
  });
  return Object.fromEntries(QUICK_VIEWS.map((view, i) => [view.id, results[i]?.data ?? null])) as Record<
    ViewId,
    number | null
  >;
}

/** Distinct values of a dimension (a dimensions-only query), for filter chips. */
export function useDimensionValues(dimension: string, enabled = true) {
  return useQuery({
    queryKey: ["values", dimension],
    queryFn: ({ signal }) =>
      api.query({ dimensions: [dimension], order: [{ field: dimension, dir: "asc" }], limit: 1000 }, { signal }),
    select: (response) =>
      response.rows
        .map((row) => row[dimension])
        .filter((value): value is string => typeof value === "string" && value !== ""),
    staleTime: 10 * 60_000,
    enabled,
  });
}
