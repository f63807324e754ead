"use client";

import { useRouter } from "next/navigation";
import { useMemo } from "react";

import { BarList } from "@/components/charts/bar-list";
import { CartesianChart } from "@/components/charts/cartesian-chart";
import { ChartTable } from "@/components/charts/chart-table";
import { Legend } from "@/components/charts/legend";
import { bucketFormatter, bucketSpan, formatAxis, formatValue } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { firstVisitIn, lastVisitIn, patientsHref } from "@/lib/analytics/links";
import { hasData, pivot } from "@/lib/analytics/pivot";
import { useValueColors } from "@/lib/analytics/value-colors";
import { timeOf, trendGrain, type AnalyticsState } from "@/lib/analytics/state";
import type { Query, Row } from "@/lib/api/types";
import { formatEnum, formatNumber } from "@/lib/format";

import { SectionCard, statusOf } from "./section-card";

const SOURCE = "patient.source";
const NEWEST = { id: "since", dir: "desc" } as const;
const num = (v: unknown) => (typeof v === "number" ? v : null);

/** New patients by acquisition source over time, and what each source's patients are worth. */
export function Acquisition({ state }: { state: AnalyticsState }) {
  const router = useRouter();
  const grain = trendGrain(state);
  const overTime = useMetricQuery(
    useMemo<Query>(() => ({ measures: ["new_patient_count"], dimensions: [SOURCE], time: timeOf(state, { grain }) }), [state, grain]),
  );
  const bySource = useMetricQuery(
    useMemo<Query>(
      () => ({
        measures: ["new_patient_count", "revenue_per_patient", "returning_patient_rate"],
        dimensions: [SOURCE],
        time: timeOf(state),
        order: [{ field: "new_patient_count", dir: "desc" }],
      }),
      [state],
    ),
  );

  const wide = useMemo(() => pivot(overTime.data?.rows ?? [], "time", SOURCE, "new_patient_count", { fill: 0 }), [overTime.data]);
  const sources = bySource.data?.rows ?? [];
  const sourceColor = useValueColors(SOURCE);
  const colorOfSource = useMemo(
    () => Object.fromEntries(wide.categories.map((c) => [c, sourceColor(c)])) as Record<string, string>,
    [wide.categories, sourceColor],
  );
  const labels = Object.fromEntries(wide.categories.map((c) => [c, formatEnum(c)]));
  const status = statusOf([overTime, bySource], () => !hasData(overTime.data?.rows, ["new_patient_count"]) && !hasData(sources, ["revenue_per_patient"]));

  const range = bySource.data?.meta.range ?? null;
  const newFrom = (source: string) => patientsHref({ filters: { source: [source], ...firstVisitIn(range) }, sort: NEWEST });
  const seenFrom = (source: string) =>
    patientsHref({ filters: { source: [source], ...lastVisitIn(range) }, sort: { id: "visits", dir: "desc" } });
  const sourceList = (measure: string, unit: "cents" | "ratio", link: (source: string) => string, detail?: (row: Row) => string) =>
    [...sources]
      .sort((a, b) => (num(b[measure]) ?? -1) - (num(a[measure]) ?? -1))
      .map((row) => {
        const source = String(row[SOURCE] ?? "");
        return {
          key: source,
          label: formatEnum(source),
          value: num(row[measure]),
          display: formatValue(row[measure], unit),
          detail: detail?.(row),
          href: link(source),
          color: sourceColor(source),
        };
      });

  return (
    <SectionCard
      id="acquisition"
      title="Acquisition"
      description="Where new patients come from, how much each source's patients spend, and how many of them had been before."
      queries={[overTime, bySource]}
      status={status}
      empty={{ title: "No new patients in this period", body: "No patient had a first visit in the selected dates." }}
      table={() => (
        <ChartTable
          caption="New patients, revenue per patient and returning rate by source"
          columns={[
            { key: SOURCE, label: "Source", format: (v) => formatEnum(String(v ?? "")) },
            { key: "new_patient_count", label: "New patients", numeric: true, format: (v) => formatNumber(num(v)) },
            { key: "revenue_per_patient", label: "Revenue per patient", numeric: true, format: (v) => formatValue(v, "cents") },
            { key: "returning_patient_rate", label: "Returning (had visited before)", numeric: true, format: (v) => formatValue(v, "ratio") },
          ]}
          rows={sources}
        />
      )}
    >
      <div className="flex flex-col gap-8">
        <div className="min-w-0">
          <h3 className="mb-2 text-body font-semibold text-ink">New patients by source, per {grain}</h3>
          <Legend className="mb-3" items={wide.categories.map((c) => ({ key: c, label: labels[c] ?? c, color: colorOfSource[c]! }))} />
          <CartesianChart
            type="bar"
            stacked
            rows={wide.rows}
            index="time"
            categories={wide.categories}
            labels={labels}
            colors={colorOfSource}
            valueFormatter={(v) => formatNumber(v)}
            axisFormatter={(v) => formatAxis(v, "count")}
            indexFormatter={bucketFormatter(grain, overTime.data?.meta)}
            partial={overTime.data?.meta.partial_periods ?? []}
            ariaLabel={`Stacked bar chart: new patients by acquisition source per ${grain}`}
            onSelect={(row, source) =>
              router.push(
                patientsHref({
                  filters: {
                    source: [source],
                    ...firstVisitIn(bucketSpan(String(row.time), grain, overTime.data?.meta.range ?? null)),
                  },
                  sort: NEWEST,
                }),
              )
            }
            selectHint="open that period's new patients from that source"
            height={260}
          />
        </div>
        <div className="grid min-w-0 gap-x-10 gap-y-6 md:grid-cols-2">
          <div>
            <h3 className="mb-2 text-body font-semibold text-ink">Revenue per patient</h3>
            <BarList
              ariaLabel="Revenue per patient by source"
              items={sourceList("revenue_per_patient", "cents", newFrom, (r) => `${formatNumber(num(r.new_patient_count))} new`)}
              linkHint="Open this period's new patients from this source"
            />
          </div>
          <div>
            <h3 className="text-body font-semibold text-ink">Returning patients</h3>
            <p className="mb-2 text-label text-muted">
              Of each source&apos;s patients seen in the period, the share who had visited before it.
            </p>
            <BarList
              ariaLabel="Returning patient rate by source"
              items={sourceList("returning_patient_rate", "ratio", seenFrom)}
              linkHint="Open this period's patients from this source"
            />
          </div>
        </div>
      </div>
    </SectionCard>
  );
}
