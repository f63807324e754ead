"use client";

import { keepPreviousData, useQueries, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { Query } from "@/lib/api/types";

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

/** One page of patients. Keeps the previous page on screen while the next one loads. */
export function usePatientList(query: Query | null) {
  return useQuery({
    queryKey: ["patients", "list", query],
    queryFn: ({ signal }) => api.query(query!, { signal }),
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
