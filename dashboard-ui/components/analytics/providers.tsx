"use client";

import { Info } from "lucide-react";
import { useMemo, useState } from "react";

import { BarList } from "@/components/charts/bar-list";
import { colorAt } from "@/components/charts/chart-config";
import { ChartTable } from "@/components/charts/chart-table";
import { formatValue, type Unit } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { patientsHref } from "@/lib/analytics/links";
import { hasData } from "@/lib/analytics/pivot";
import { timeOf, type AnalyticsState } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";

import { SectionCard, statusOf } from "./section-card";
import { Segmented } from "./segmented";

const PROVIDER = "provider.name";
const num = (v: unknown) => (typeof v === "number" ? v : null);

const METRICS: { id: "line_revenue" | "booked_hours" | "revenue_per_booked_hour"; label: string; unit: Unit; color: string }[] = [
  { id: "line_revenue", label: "Revenue", unit: "cents", color: colorAt(0) },
  { id: "booked_hours", label: "Booked hours", unit: "hours", color: colorAt(2) },
  { id: "revenue_per_booked_hour", label: "Per booked hour", unit: "cents", color: colorAt(3) },
];

/** Booked hours, revenue and revenue per booked hour by provider (explicitly not utilization). */
export function Providers({ state }: { state: AnalyticsState }) {
  const [metric, setMetric] = useState<(typeof METRICS)[number]["id"]>("line_revenue");
  const result = useMetricQuery(
    useMemo<Query>(
      () => ({
        measures: ["line_revenue", "booked_hours", "revenue_per_booked_hour"],
        dimensions: [PROVIDER],
        time: timeOf(state),
        order: [{ field: "line_revenue", dir: "desc" }],
      }),
      [state],
    ),
  );
  const rows = result.data?.rows ?? [];
  const status = statusOf([result], () => !hasData(rows, ["booked_hours", "line_revenue"]));
  const chosen = METRICS.find((m) => m.id === metric)!;
  const sorted = [...rows].sort((a, b) => (num(b[metric]) ?? -1) - (num(a[metric]) ?? -1));

  return (
    <SectionCard
      id="providers"
      title="Providers"
      description="Booked time and the revenue of the services each provider performed."
      queries={[result]}
      status={status}
      skeleton="list"
      skeletonHeight={360}
      empty={{ title: "No booked services in this period", body: "Try a longer date range." }}
      actions={
        <Segmented
          label="Show providers by"
          value={metric}
          options={METRICS.map((m) => ({ id: m.id, label: m.label }))}
          onChange={setMetric}
          testId="provider-metric"
        />
      }
      table={() => (
        <ChartTable
          caption="Booked hours, revenue and revenue per booked hour by provider"
          columns={[
            { key: PROVIDER, label: "Provider" },
            { key: "booked_hours", label: "Booked hours", numeric: true, format: (v) => formatValue(v, "hours") },
            { key: "line_revenue", label: "Revenue", numeric: true, format: (v) => formatValue(v, "cents") },
            { key: "revenue_per_booked_hour", label: "Revenue per booked hour", numeric: true, format: (v) => formatValue(v, "cents") },
          ]}
          rows={rows}
        />
      )}
      footer={
        <p className="flex items-start gap-2 text-label text-muted" data-testid="not-utilization">
          <Info aria-hidden="true" className="mt-px h-3.5 w-3.5 shrink-0" />
          <span>
            <strong className="font-semibold text-ink">Not utilization.</strong> The export has no shift or
            availability data, so booked hours say how much time was booked, not how full anyone&apos;s day was.
          </span>
        </p>
      }
    >
      <BarList
        ariaLabel={`${chosen.label} by provider`}
        linkHint="Open this provider's patients"
        color={chosen.color}
        items={sorted.map((row) => ({
          key: String(row[PROVIDER]),
          label: String(row[PROVIDER]),
          value: num(row[metric]),
          display: formatValue(row[metric], chosen.unit, { compact: chosen.id === "line_revenue" }),
          detail:
            metric === "line_revenue"
              ? `${formatValue(row.booked_hours, "hours")} · ${formatValue(row.revenue_per_booked_hour, "cents")}/h`
              : metric === "booked_hours"
                ? formatValue(row.line_revenue, "cents", { compact: true })
                : `${formatValue(row.booked_hours, "hours")} booked`,
          href: patientsHref({ filters: { provider: [String(row[PROVIDER])] } }),
        }))}
      />
    </SectionCard>
  );
}
