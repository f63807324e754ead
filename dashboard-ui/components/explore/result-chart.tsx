"use client";

import { useMemo } from "react";

import { BarList } from "@/components/charts/bar-list";
import { CartesianChart } from "@/components/charts/cartesian-chart";
import { colorAt, COMPARISON_COLOR } from "@/components/charts/chart-config";
import { Legend } from "@/components/charts/legend";
import { bucketFormatter, formatAxis, formatValue, unitOf } from "@/lib/analytics/format";
import { pivot } from "@/lib/analytics/pivot";
import { useValueColors } from "@/lib/analytics/value-colors";
import type { QueryResponse } from "@/lib/api/types";
import { formatEnum } from "@/lib/format";

const MAX_SERIES = 8; // lines one chart can tell apart; past it, the largest 7 and "All others"
const OTHERS = "__others__";

const labelOf = (response: QueryResponse, name: string) =>
  (response.columns.find((c) => c.name === name) as { label?: string } | undefined)?.label ?? name;

/** Displays a dimension value: enumerations in words, dates as dates, the rest as is. */
export function formatMember(value: unknown): string {
  if (value === null || value === undefined) return "(none)";
  if (typeof value === "string" && /^[a-z_]+$/.test(value)) return formatEnum(value);
  return String(value);
}

/**
 * The chart for a query's answer: a line over time when it has a time bucket (one line per
 * measure, or per value of the first dimension), bars for categories, big numbers otherwise.
 */
export function ResultChart({
  response,
  grain,
  x,
  y,
  height = 280,
}: {
  response: QueryResponse;
  grain?: string | null;
  /** the index column (default: `time` if present, else the first dimension) */
  x?: string;
  /** the measures to draw (default: every measure, without compare columns) */
  y?: string[];
  height?: number;
}) {
  const columns = response.columns;
  const measures = y?.length
    ? y
    : columns.filter((c) => c.kind === "measure" && !/\.(previous|change|change_pct)$/.test(c.name)).map((c) => c.name);
  const dims = columns.filter((c) => c.kind === "dimension").map((c) => c.name);
  const index = x ?? (columns.some((c) => c.name === "time") ? "time" : dims[0]);
  const isTime = index === "time" || columns.find((c) => c.name === index)?.kind === "time";
  const otherDim = dims.find((d) => d !== index);
  const rows = response.rows;
  const valueColor = useValueColors(otherDim);

  const series = useMemo((): { rows: typeof rows; categories: string[]; labels: Record<string, string>; folded: number } | null => {
    if (!index || measures.length === 0) return null;
    if (isTime && otherDim) {
      const wide = pivot(rows, index, otherDim, measures[0]!);
      const labels: Record<string, string> = Object.fromEntries(wide.categories.map((c) => [c, formatMember(c)]));
      if (wide.categories.length <= MAX_SERIES) return { rows: wide.rows, categories: wide.categories, labels, folded: 0 };
      // never drop a series silently: the largest keep their line, the rest are summed into one
      const total = (c: string) => wide.rows.reduce((sum, r) => sum + (typeof r[c] === "number" ? (r[c] as number) : 0), 0);
      const ranked = [...wide.categories].sort((a, b) => total(b) - total(a));
      const kept = ranked.slice(0, MAX_SERIES - 1);
      const folded = ranked.slice(MAX_SERIES - 1);
      const additive = !["ratio", "days"].includes(unitOf(measures[0]!, columns));
      const foldedRows = wide.rows.map((r) => ({
        ...r,
        [OTHERS]: additive
          ? folded.reduce((sum, c) => sum + (typeof r[c] === "number" ? (r[c] as number) : 0), 0)
          : null,
      }));
      return {
        rows: foldedRows,
        categories: additive ? [...kept, OTHERS] : kept,
        labels: { ...labels, [OTHERS]: `All ${folded.length} others` },
        folded: folded.length,
      };
    }
    const withPrevious = measures.flatMap((m) => (rows.some((r) => `${m}.previous` in r) ? [m, `${m}.previous`] : [m]));
    return { rows, categories: withPrevious, labels: Object.fromEntries(withPrevious.map((m) => [m, m.endsWith(".previous") ? `${labelOf(response, m.replace(/\.previous$/, ""))} (comparison)` : labelOf(response, m)])), folded: 0 };
  }, [rows, index, isTime, otherDim, measures, response, columns]);

  if (measures.length === 0) {
    return <p className="py-8 text-center text-muted">Add a measure to draw a chart; the table lists the rows.</p>;
  }

  if (!index) {
    // No grouping at all: one row of totals.
    const row = rows[0] ?? {};
    return (
      <ul className="grid grid-cols-2 gap-4 py-2 sm:grid-cols-3" data-testid="result-totals">
        {measures.map((m) => (
          <li key={m} className="rounded-card border border-border p-4">
            <span className="block text-label uppercase tracking-wide text-muted">{labelOf(response, m)}</span>
            <span className="block text-kpi tabular-nums text-ink">{formatValue(row[m], unitOf(m, columns), { compact: true })}</span>
            <span className="block text-label tabular-nums text-muted">{formatValue(row[m], unitOf(m, columns))}</span>
          </li>
        ))}
      </ul>
    );
  }

  const unit = unitOf(measures[0]!, columns);
  if (isTime && series) {
    const comparison = series.categories.filter((c) => c.endsWith(".previous"));
    return (
      <div>
        <Legend
          className="mb-3"
          items={series.categories.map((c, i) => ({
            key: c,
            label: series.labels[c] ?? c,
            color: c.endsWith(".previous") ? COMPARISON_COLOR : otherDim ? (c === OTHERS ? "rgb(var(--color-muted))" : valueColor(c)) : colorAt(i),
            dashed: c.endsWith(".previous"),
          }))}
        />
        <CartesianChart
          type="line"
          rows={series.rows}
          index={index}
          categories={series.categories}
          comparison={comparison}
          labels={series.labels}
          colors={
            otherDim
              ? Object.fromEntries(series.categories.map((c) => [c, c === OTHERS ? "rgb(var(--color-muted))" : valueColor(c)]))
              : undefined
          }
          valueFormatter={(v, c) => formatValue(v, unitOf(otherDim ? measures[0]! : c, columns))}
          axisFormatter={(v) => formatAxis(v, unit)}
          indexFormatter={bucketFormatter(grain ?? "day", response.meta)}
          partial={response.meta.partial_periods ?? []}
          ariaLabel={`Line chart: ${measures.map((m) => labelOf(response, m)).join(", ")} by ${grain ?? "time"}${otherDim ? ` and ${labelOf(response, otherDim)}` : ""}`}
          height={height}
        />
        {series.folded ? (
          <p className="mt-2 text-label text-muted" data-testid="folded-series">
            {series.categories.includes(OTHERS)
              ? `The ${series.folded} smallest of ${series.folded + MAX_SERIES - 1} are added up as “All ${series.folded} others”`
              : `Showing the ${MAX_SERIES - 1} largest of ${series.folded + MAX_SERIES - 1} (rates do not add up)`}
            ; the table has every one.
          </p>
        ) : null}
      </div>
    );
  }

  // Categories: one bar list per measure (first three), sorted as the engine returned them.
  return (
    <div className="grid gap-x-10 gap-y-6 md:grid-cols-2">
      {measures.slice(0, 3).map((m, i) => (
        <div key={m} className="min-w-0">
          <h3 className="mb-2 text-body font-semibold text-ink">
            {labelOf(response, m)} by {labelOf(response, index)}
            {otherDim ? ` (first of ${labelOf(response, otherDim)})` : ""}
          </h3>
          <BarList
            ariaLabel={`${labelOf(response, m)} by ${labelOf(response, index)}`}
            color={colorAt(i)}
            items={rows.slice(0, 30).map((row, j) => ({
              key: `${String(row[index])}-${j}`,
              label: formatMember(row[index]),
              value: typeof row[m] === "number" ? (row[m] as number) : null,
              display: formatValue(row[m], unitOf(m, columns)),
            }))}
          />
          {rows.length > 30 ? <p className="mt-2 text-label text-muted">First 30 of {rows.length} rows; the table has them all.</p> : null}
        </div>
      ))}
    </div>
  );
}
