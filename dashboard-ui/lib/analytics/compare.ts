/**
 * The comparison period's dates, for labels only ("vs May 31 – Aug 28"). The engine computes the
 * compared values; if it echoes the compared range in `meta` that is used, else the label is
 * derived from the echoed `meta.range` the way the contract words the comparison.
 */
import type { QueryResponse } from "@/lib/api/types";
import { addDays, addMonths, daysBetween } from "@/lib/dates";

import { formatRange, type DateRange } from "./format";

type Range = DateRange;

const asRange = (value: unknown): Range | null => {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  if (typeof v.end !== "string") return null;
  return { start: typeof v.start === "string" ? v.start : null, end: v.end };
};

export function rangeOf(response: QueryResponse | undefined): Range | null {
  return asRange(response?.meta?.range ?? null);
}

export function compareRangeOf(response: QueryResponse | undefined, compare: string | undefined): Range | null {
  if (!response || !compare) return null;
  const meta = response.meta as Record<string, unknown>;
  const echoed = asRange(meta.compare_range) ?? asRange(meta.previous_range) ?? asRange((meta.compare as Record<string, unknown> | undefined)?.range);
  if (echoed) return echoed;
  const range = rangeOf(response);
  if (!range?.start) return null;
  const start = range.start;
  if (compare === "previous_year") return { start: addMonths(start, -12), end: addMonths(range.end, -12) };
  const length = daysBetween(start, range.end);
  return { start: addDays(start, -length), end: start };
}

export function versusLabel(response: QueryResponse | undefined, compare: string | undefined): string | null {
  if (!compare) return null;
  const range = compareRangeOf(response, compare);
  if (range) return `vs ${formatRange(range)}`;
  return compare === "previous_year" ? "vs previous year" : "vs previous period";
}
