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
 * Cursors of pages reached by Next: the page's query and offset → `meta.next_cursor` of the page before.
 * A deep page of a filtered view costs the database in proportion to its offset (from the nearer end:
 * the API reads a page past the middle backwards, so Last is cheap); after a cursor it is one index seek
 * (keyset paging, semantic/keyset.py). Page jumps, and pages no cursor leads to, use the offset; a
 * refused cursor (the data's as_of moved) falls back to it too.
 */
const cursors = new Map<string, string>();
const MAX_CURSORS = 500;

function pageKey(query: Query, offset: number): string {
  return `${JSON.stringify({ ...query, offset: undefined, after: undefined })}@${offset}`;
}

async function fetchPage(query: Query, signal: AbortSignal): Promise<QueryResponse> {
  const offset = query.offset ?? 0;
  const cursor = offset > 0 ? cursors.get(pageKey(query, offset)) : undefined;
  let response: QueryResponse | null = null;
  if (cursor) {
    try {
      response = await api.query({ ...query, offset: 0, after: cursor }, { signal });
    } catch (error) {
      if (!(error instanceof ApiError && error.code === "invalid_cursor")) throw error;
      cursors.clear();
    }
  }
  response ??= await api.query(query, { signal });
  const next = response.meta.next_cursor;
  if (next && query.limit) {
    if (cursors.size >= MAX_CURSORS) cursors.clear();
    cursors.set(pageKey(query, offset + query.limit), next);
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
