"use client";

import { useMemo } from "react";

import { CartesianChart } from "@/components/charts/cartesian-chart";
import { ChartTable } from "@/components/charts/chart-table";
import { COMPARISON_COLOR, colorAt } from "@/components/charts/chart-config";
import { Legend } from "@/components/charts/legend";
import { rangeOf, versusLabel } from "@/lib/analytics/compare";
import { bucketFormatter, formatAxis, formatRange, formatValue } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { hasData } from "@/lib/analytics/pivot";
import { compareFor, timeOf, trendGrain, type AnalyticsState, type TrendGrain } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";

import { SectionCard, statusOf } from "./section-card";
import { Segmented } from "./segmented";

const GRAINS: { id: TrendGrain; label: string }[] = [
  { id: "week", label: "Week" },
  { id: "month", label: "Month" },
];

/** Revenue by week or month, with the comparison period's revenue per bucket overlaid. */
export function RevenueTrend({ state, onChange }: { state: AnalyticsState; onChange: (patch: Partial<AnalyticsState>) => void }) {
  const grain = trendGrain(state);
  const compare = compareFor(state);
  const query = useMemo<Query>(
    () => ({ measures: ["revenue"], time: timeOf(state, { grain, ...(compare ? { compare } : {}) }) }),
    [state, grain, compare],
  );
  const result = useMetricQuery(query);
  const rows = result.data?.rows ?? [];
  const hasPrevious = !!compare && rows.some((r) => "revenue.previous" in r);
  const categories = hasPrevious ? ["revenue", "revenue.previous"] : ["revenue"];
  const versus = versusLabel(result.data, compare);
  const labels = { revenue: "Revenue", "revenue.previous": versus ? `Revenue, ${versus.replace(/^vs /, "")}` : "Previous period" };
  const status = statusOf([result], () => !hasData(rows, categories));
  const money = (v: number | null) => formatValue(v, "cents");
  // Buckets the range cuts (a week still in progress, the month so far) are drawn partial, never as drops.
  const range = rangeOf(result.data);
  const partialPeriods = result.data?.meta.partial_periods ?? [];
  const bucketLabel = bucketFormatter(grain, result.data?.meta);

  return (
    <SectionCard
      id="revenue-trend"
      title="Revenue trend"
      description={`Paid revenue by ${grain}${hasPrevious && versus ? `, ${versus}` : ""}.`}
      queries={[result]}
      status={status}
      empty={{ title: "No revenue in this period", body: "No paid payments fall in the selected dates. Try a longer range." }}
      actions={<Segmented label="Group revenue by" value={grain} options={GRAINS} onChange={(g) => onChange({ trend: g })} testId="trend-grain" />}
      table={() => (
        <ChartTable
          caption={`Revenue by ${grain}`}
          columns={[
            { key: "time", label: grain === "week" ? "Week of" : "Month", format: (v) => bucketLabel(v as string) },
            { key: "revenue", label: "Revenue", numeric: true, format: (v) => money(typeof v === "number" ? v : null) },
            ...(hasPrevious
              ? [
                  { key: "revenue.previous", label: "Comparison", numeric: true, format: (v: unknown) => money(typeof v === "number" ? v : null) },
                  { key: "revenue.change_pct", label: "Change", numeric: true, format: (v: unknown) => (typeof v === "number" ? `${v >= 0 ? "+" : ""}${(v * 100).toFixed(1)}%` : "—") },
                ]
              : []),
          ]}
          rows={rows}
        />
      )}
    >
      <Legend
        className="mb-3"
        items={[
          { key: "revenue", label: labels.revenue, color: colorAt(0) },
          ...(hasPrevious ? [{ key: "prev", label: labels["revenue.previous"], color: COMPARISON_COLOR, dashed: true }] : []),
        ]}
      />
      <CartesianChart
        type="line"
        rows={rows}
        index="time"
        categories={categories}
        comparison={["revenue.previous"]}
        labels={labels}
        valueFormatter={(v) => money(v)}
        axisFormatter={(v) => formatAxis(v, "cents")}
        indexFormatter={bucketLabel}
        partial={partialPeriods}
        ariaLabel={`Line chart: revenue by ${grain}${hasPrevious ? " with the comparison period" : ""}`}
        height={260}
      />
      {partialPeriods.length && range ? (
        <p className="mt-2 text-label text-muted" data-testid="partial-bucket">
          Dashed: {partialPeriods.map((p) => bucketLabel(p, { short: true })).join(" and ")}{" "}
          {partialPeriods.length > 1 ? "are" : "is"} only part of a {grain} (the range covers {formatRange(range)}), not a
          drop.
        </p>
      ) : null}
    </SectionCard>
  );
}
