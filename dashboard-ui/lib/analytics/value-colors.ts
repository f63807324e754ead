"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";

import { colorAt } from "@/components/charts/chart-config";
import { api } from "@/lib/api/client";

/**
 * A colour per value of a dimension, fixed whatever the range or the page: the value's position in the
 * dimension's own value list (a dimensions-only query, sorted: the catalog's order), not in a result. A value
 * the list does not hold yet takes the next colours after it, by name.
 */
export function useValueColors(dimension: string | null | undefined): (value: string) => string {
  const values = useQuery({
    queryKey: ["values", dimension],
    queryFn: ({ signal }) =>
      api.query({ dimensions: [dimension!], order: [{ field: dimension!, dir: "asc" }], limit: 1000 }, { signal }),
    select: (response) => response.rows.map((row) => String(row[dimension!] ?? "")),
    staleTime: 10 * 60_000,
    enabled: !!dimension,
  });
  return useMemo(() => {
    const known = new Map((values.data ?? []).map((value, i) => [value, i]));
    return (value: string) => {
      const at = known.get(value);
      if (at !== undefined) return colorAt(at);
      let hash = 0;
      for (const ch of value) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
      return colorAt(known.size + (hash % 7));
    };
  }, [values.data]);
}
