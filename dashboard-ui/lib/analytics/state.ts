/**
 * The /analytics page's view state as it lives in the URL (nuqs; shareable, the back button undoes a
 * change): date range preset or custom dates, comparison, and the trend's grain.
 *
 * ?range=last_90_days&compare=previous_year&trend=month
 * ?from=2025-01-01&to=2025-03-31          (custom, both dates inclusive in the URL and the UI)
 *
 * Relative presets are sent to the engine as the contract's `time.range` names, so the engine
 * resolves them against the data's as_of (never the browser's clock).
 */
import { createParser, parseAsStringLiteral, type inferParserType } from "nuqs";

import type { Query } from "@/lib/api/types";
import { addDays, daysBetween } from "@/lib/dates";

export const RANGE_PRESETS = [
  { id: "last_30_days", label: "Last 30 days" },
  { id: "last_90_days", label: "Last 90 days" },
  { id: "last_12_months", label: "Last 12 months" },
  { id: "this_month", label: "This month" },
  { id: "last_month", label: "Last month" },
  { id: "this_quarter", label: "This quarter" },
  { id: "this_year", label: "This year" },
  { id: "all_time", label: "All time" },
] as const;

export type PresetId = (typeof RANGE_PRESETS)[number]["id"];
export type RangeSelection = { kind: "preset"; id: PresetId } | { kind: "custom"; from: string; to: string };

export const COMPARE_OPTIONS = [
  { id: "previous_period", label: "vs previous period" },
  { id: "previous_year", label: "vs previous year" },
  { id: "none", label: "No comparison" },
] as const;
export type CompareId = (typeof COMPARE_OPTIONS)[number]["id"];

export type TrendGrain = "week" | "month";
export type Grain = "day" | "week" | "month" | "quarter" | "year";

export interface AnalyticsState {
  range: RangeSelection;
  compare: CompareId;
  /** null: chosen from the range's length */
  trend: TrendGrain | null;
}

export const DEFAULT_STATE: AnalyticsState = {
  range: { kind: "preset", id: "last_90_days" },
  compare: "previous_period",
  trend: null,
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const parseAsIsoDay = createParser<string>({
  parse: (text) => (ISO_DATE.test(text) ? text : null),
  serialize: (text) => text,
});

/** Every key of the page's URL, and how each reads and writes (nuqs drops malformed values to defaults). */
export const analyticsParsers = {
  range: parseAsStringLiteral(RANGE_PRESETS.map((p) => p.id)).withDefault("last_90_days"),
  from: parseAsIsoDay,
  to: parseAsIsoDay,
  compare: parseAsStringLiteral(COMPARE_OPTIONS.map((c) => c.id)).withDefault(DEFAULT_STATE.compare),
  trend: parseAsStringLiteral(["week", "month"] as const),
};
export type AnalyticsParams = inferParserType<typeof analyticsParsers>;

export function stateFromParams(params: AnalyticsParams): AnalyticsState {
  const { from, to } = params;
  const range: RangeSelection =
    from && to
      ? from <= to
        ? { kind: "custom", from, to }
        : { kind: "custom", from: to, to: from }
      : { kind: "preset", id: params.range };
  return { range, compare: params.compare, trend: params.trend };
}

export function paramsFromState(state: AnalyticsState): AnalyticsParams {
  const custom = state.range.kind === "custom" ? state.range : null;
  return {
    range: state.range.kind === "preset" ? state.range.id : "last_90_days",
    from: custom?.from ?? null,
    to: custom?.to ?? null,
    compare: state.compare,
    trend: state.trend,
  };
}

/** The contract's `time.range`: a preset name, or [start, end) with the end exclusive. */
export function timeRange(range: RangeSelection): string | [string, string] {
  return range.kind === "preset" ? range.id : [range.from, addDays(range.to, 1)];
}

export function rangeLabel(range: RangeSelection): string {
  return range.kind === "preset" ? RANGE_PRESETS.find((p) => p.id === range.id)!.label : "Custom range";
}

/** The comparison to send, if any (all time has no previous period). */
export function compareFor(state: AnalyticsState): "previous_period" | "previous_year" | undefined {
  if (state.compare === "none") return undefined;
  if (state.range.kind === "preset" && state.range.id === "all_time") return undefined;
  return state.compare;
}

/** Rough length in days of a selection, for choosing grains (the engine resolves the real range). */
function approxDays(range: RangeSelection): number {
  if (range.kind === "custom") return daysBetween(range.from, range.to) + 1;
  return {
    last_30_days: 30,
    last_90_days: 90,
    last_12_months: 365,
    this_month: 31,
    last_month: 31,
    this_quarter: 92,
    this_year: 365,
    all_time: 730,
  }[range.id];
}

/** Grain of the KPI sparklines: about 10-60 points whatever the range. */
export function sparkGrain(range: RangeSelection): Grain {
  const days = approxDays(range);
  if (days <= 45) return "day";
  if (days <= 180) return "week";
  return "month";
}

/** Grain of the trend charts: the user's choice, else week up to ~4 months, month beyond. */
export function trendGrain(state: AnalyticsState): TrendGrain {
  if (state.trend) return state.trend;
  return approxDays(state.range) <= 120 ? "week" : "month";
}

/** The `time` part shared by every section's query. */
export function timeOf(state: AnalyticsState, extra: Partial<NonNullable<Query["time"]>> = {}): NonNullable<Query["time"]> {
  return { range: timeRange(state.range), ...extra } as NonNullable<Query["time"]>;
}
