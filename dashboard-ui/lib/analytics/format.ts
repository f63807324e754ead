/**
 * Formatting of measure values by their unit (from the response's columns or the catalog):
 * money from integer cents, rates (fractions) as percentages with one decimal, changes of rates
 * in percentage points, hours and days with their unit.
 */
import { formatDate, formatMoney, formatMoneyCompact, formatMonthYear, formatNumber } from "@/lib/format";
import type { Column } from "@/lib/api/types";

export type Unit = "cents" | "ratio" | "count" | "hours" | "days" | "number";

/** Units of the measures this UI knows by name; the response's columns take precedence. */
const KNOWN_UNITS: Record<string, Unit> = {
  revenue: "cents",
  line_revenue: "cents",
  average_ticket: "cents",
  revenue_per_patient: "cents",
  revenue_per_booked_hour: "cents",
  cancellation_rate: "ratio",
  returning_patient_rate: "ratio",
  rebooking_rate: "ratio",
  booked_hours: "hours",
  median_days_between_visits: "days",
  average_visits_per_patient: "number",
};

export function unitOf(name: string, columns?: readonly Pick<Column, "name">[] | null): Unit {
  const base = name.replace(/\.(previous|change)$/, "");
  if (name.endsWith(".change_pct")) return "ratio";
  const column = columns?.find((c) => c.name === name) as { unit?: string | null; format?: string | null } | undefined;
  const unit = column?.unit ?? null;
  const format = column?.format ?? null;
  if (unit === "cents" || format === "currency") return "cents";
  if (unit === "ratio" || format === "percent") return "ratio";
  if (unit === "hours" || format === "hours") return "hours";
  if (unit === "days" || format === "days") return "days";
  if (unit === "count" || format === "integer") return "count";
  return KNOWN_UNITS[base] ?? (column ? "number" : "count");
}

const percent1 = new Intl.NumberFormat("en-US", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
const decimal1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const decimal2 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });
const compactNumber = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

export function isNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A measure value for display; `compact` on cards and axes, exact in tooltips and tables. */
export function formatValue(value: unknown, unit: Unit, { compact = false } = {}): string {
  if (!isNumber(value)) return "—";
  switch (unit) {
    case "cents":
      // compact from $10K; below that whole dollars read better than "$423.2"
      if (compact) return Math.abs(value) >= 1_000_000 ? formatMoneyCompact(value) : formatMoney(value, { whole: true });
      return formatMoney(value);
    case "ratio":
      return percent1.format(value);
    case "hours":
      return `${compact && value >= 10_000 ? compactNumber.format(value) : decimal1.format(value)} h`;
    case "days":
      return `${decimal1.format(value)} days`;
    case "count":
      return compact && Math.abs(value) >= 10_000 ? compactNumber.format(value) : formatNumber(value);
    default:
      return compact && Math.abs(value) >= 10_000 ? compactNumber.format(value) : decimal2.format(value);
  }
}

/** Axis ticks: short. */
export function formatAxis(value: number, unit: Unit): string {
  if (unit === "cents") return formatMoneyCompact(value);
  if (unit === "ratio") return `${Math.round(value * 1000) / 10}%`;
  return compactNumber.format(value);
}

export interface Delta {
  /** "▲ 12.4%", "▼ 1.2 pts", "New", "No change" */
  text: string;
  /** for screen readers: "up 12.4% vs previous period" */
  direction: "up" | "down" | "flat" | "new" | "none";
  tone: "positive" | "negative" | "neutral";
}

/**
 * The delta chip of a KPI from the engine's `.previous`, `.change` and `.change_pct`. Rates change
 * in points (the engine's absolute `.change` of a fraction); other measures in percent
 * (`.change_pct`). "New" when the previous value was 0.
 */
export function deltaOf(
  unit: Unit,
  upIsGood: boolean,
  previous: unknown,
  change: unknown,
  changePct: unknown,
): Delta {
  if (!isNumber(previous) || !isNumber(change)) return { text: "No comparison data", direction: "none", tone: "neutral" };
  if (previous === 0 && unit !== "ratio") {
    if (change === 0) return { text: "No change", direction: "flat", tone: "neutral" };
    return { text: "New", direction: "new", tone: "neutral" };
  }
  let text: string;
  let size: number;
  if (unit === "ratio") {
    size = change * 100;
    text = `${decimal1.format(Math.abs(size))} pts`;
  } else {
    if (!isNumber(changePct)) return { text: "New", direction: "new", tone: "neutral" };
    size = changePct * 100;
    text = `${decimal1.format(Math.abs(size))}%`;
  }
  if (Math.abs(size) < 0.05) return { text: "No change", direction: "flat", tone: "neutral" };
  const up = size > 0;
  return {
    text: `${up ? "▲" : "▼"} ${text}`,
    direction: up ? "up" : "down",
    tone: up === upIsGood ? "positive" : "negative",
  };
}

const weekFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const dayFmt = weekFmt;
const quarterOf = (iso: string) => `Q${Math.floor((Number(iso.slice(5, 7)) - 1) / 3) + 1} ${iso.slice(0, 4)}`;

/** A time bucket's label by grain: "Nov 2025", "Week of Nov 17", "Q4 2025". */
export function formatBucket(iso: unknown, grain: string | null | undefined, { short = false } = {}): string {
  if (typeof iso !== "string") return "—";
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  switch (grain) {
    case "year":
      return iso.slice(0, 4);
    case "quarter":
      return quarterOf(iso);
    case "month":
      return short ? formatMonthYear(iso).replace(/ \d{4}$/, (y) => ` '${y.trim().slice(2)}`) : formatMonthYear(iso);
    case "week":
      return short ? weekFmt.format(date) : `Week of ${formatDate(iso)}`;
    case "day":
      return short ? dayFmt.format(date) : formatDate(iso);
    default:
      return formatDate(iso);
  }
}

/** A resolved [start, end) range as the engine echoes it; `start` null means unbounded. */
export type DateRange = { start: string | null; end: string };

/** "Aug 29 – Nov 26, 2025" from the engine's echoed [start, end) range ("through …" unbounded). */
export function formatRange(range: DateRange | null | undefined): string {
  if (!range) return "";
  const endInclusive = new Date(`${range.end.slice(0, 10)}T00:00:00Z`);
  endInclusive.setUTCDate(endInclusive.getUTCDate() - 1);
  const end = endInclusive.toISOString().slice(0, 10);
  if (!range.start) return `everything through ${formatDate(end)}`;
  if (range.start.slice(0, 4) === end.slice(0, 4)) {
    return `${weekFmt.format(new Date(`${range.start.slice(0, 10)}T00:00:00Z`))} – ${formatDate(end)}`;
  }
  return `${formatDate(range.start)} – ${formatDate(end)}`;
}

const bucketDayFmt = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const nextBucket = (iso: string, grain: string): string => {
  const date = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  if (grain === "day") date.setUTCDate(date.getUTCDate() + 1);
  else if (grain === "week") date.setUTCDate(date.getUTCDate() + 7);
  else date.setUTCMonth(date.getUTCMonth() + (grain === "month" ? 1 : grain === "quarter" ? 3 : 12));
  return date.toISOString().slice(0, 10);
};

/** The part of a bucket inside the range, [start, end) (the whole bucket when the range holds it). */
export function bucketSpan(iso: string, grain: string, range: DateRange | null): DateRange {
  const bucketEnd = nextBucket(iso, grain);
  const start = range?.start && range.start.slice(0, 10) > iso.slice(0, 10) ? range.start.slice(0, 10) : iso.slice(0, 10);
  const end = range && range.end.slice(0, 10) < bucketEnd ? range.end.slice(0, 10) : bucketEnd;
  return { start, end };
}

/** The days of a partial bucket inside the range, "Dec 1–6" (a range's cut edge, the month so far). */
export function formatPartialBucket(iso: string, grain: string, range: DateRange): string {
  const start = range.start && range.start.slice(0, 10) > iso.slice(0, 10) ? range.start.slice(0, 10) : iso.slice(0, 10);
  const bucketEnd = nextBucket(iso, grain);
  const end = range.end.slice(0, 10) < bucketEnd ? range.end.slice(0, 10) : bucketEnd;
  const last = new Date(`${end}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  const from = new Date(`${start}T00:00:00Z`);
  if (from.getTime() === last.getTime()) return bucketDayFmt.format(from);
  const sameMonth = from.getUTCMonth() === last.getUTCMonth();
  return sameMonth
    ? `${bucketDayFmt.format(from)}–${last.getUTCDate()}`
    : `${bucketDayFmt.format(from)} – ${bucketDayFmt.format(last)}`;
}

/** The x-axis formatter of a bucketed response: partial buckets (meta.partial_periods) by the days they hold. */
export function bucketFormatter(
  grain: string,
  meta: { partial_periods?: string[]; range?: DateRange | null } | null | undefined,
): (value: string | number | null, options?: { short?: boolean }) => string {
  const partial = new Set((meta?.partial_periods ?? []).map((p) => p.slice(0, 10)));
  const range = meta?.range ?? null;
  return (value, options) => {
    if (typeof value === "string" && range && partial.has(value.slice(0, 10))) {
      const days = formatPartialBucket(value, grain, range);
      return options?.short ? days : `${days} (partial ${grain})`;
    }
    return formatBucket(value, grain, options);
  };
}
