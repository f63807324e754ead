"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";

import { api } from "@/lib/api/client";
import type { Query, QueryResponse } from "@/lib/api/types";

import { normalizeCatalog, type NormalizedCatalog } from "./catalog";

/**
 * One `POST /api/query`. While a new range loads, the previous answer stays on screen
 * (`isPlaceholderData`), so cards do not flash back to skeletons on every change.
 */
export function useMetricQuery(query: Query | null, { keepPrevious = true } = {}) {
  return useQuery<QueryResponse>({
    queryKey: ["analytics", query],
    queryFn: ({ signal }) => api.query(query!, { signal }),
    enabled: query !== null,
    placeholderData: keepPrevious ? keepPreviousData : undefined,
  });
}

/** `GET /api/catalog`, normalized: measures, dimensions, groupability, as_of. */
export function useCatalog() {
  return useQuery<NormalizedCatalog>({
    queryKey: ["catalog"],
    queryFn: async ({ signal }) => normalizeCatalog(await api.catalog({ signal })),
    staleTime: 10 * 60_000,
  });
}

/** Loading / fetching / idle, for `data-state` attributes the browser tests wait on. */
export function stateOf(query: { isPending: boolean; isFetching: boolean; isError: boolean }): string {
  if (query.isError) return "error";
  if (query.isPending) return "loading";
  return query.isFetching ? "fetching" : "idle";
}
