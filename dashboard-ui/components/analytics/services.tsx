"use client";

import { useMemo } from "react";

import { BarList } from "@/components/charts/bar-list";
import { colorAt } from "@/components/charts/chart-config";
import { ChartTable } from "@/components/charts/chart-table";
import { formatValue } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { patientsHref } from "@/lib/analytics/links";
import { hasData } from "@/lib/analytics/pivot";
import { timeOf, type AnalyticsState } from "@/lib/analytics/state";
import type { Query, Row } from "@/lib/api/types";
import { formatNumber } from "@/lib/format";

import { CardError } from "./card-states";
import { SectionCard, statusOf } from "./section-card";

const SERVICE = "service.name";
const num = (v: unknown) => (typeof v === "number" ? v : null);

/** Revenue and bookings by service (revenue split over service lines), and cancellations. */
export function Services({ state }: { state: AnalyticsState }) {
  const revenue = useMetricQuery(
    useMemo<Query>(
      () => ({
        measures: ["line_revenue", "service_line_count"],
        dimensions: [SERVICE],
        time: timeOf(state),
        order: [{ field: "line_revenue", dir: "desc" }],
      }),
      [state],
    ),
  );
  // Separate, so a refusal of this one grouping cannot blank the revenue chart.
  const cancellations = useMetricQuery(
    useMemo<Query>(
      () => ({
        measures: ["cancellation_rate"],
        dimensions: [SERVICE],
        time: timeOf(state),
        order: [{ field: "cancellation_rate", dir: "desc" }],
      }),
      [state],
    ),
  );
  const rows = revenue.data?.rows ?? [];
  const cancelRows = cancellations.data?.rows ?? [];
  const status = statusOf([revenue], () => !hasData(rows, ["line_revenue", "service_line_count"]));
  const href = (row: Row) => patientsHref({ filters: { service: [String(row[SERVICE])] } });

  const merged = rows.map((row) => ({
    ...row,
    cancellation_rate: cancelRows.find((c) => c[SERVICE] === row[SERVICE])?.cancellation_rate ?? null,
  }));

  return (
    <SectionCard
      id="services"
      title="Services"
      description="Revenue split over each visit's service lines by list price, so a multi-service visit is never counted twice."
      queries={[revenue]}
      status={status}
      skeleton="list"
      skeletonHeight={300}
      empty={{ title: "No services booked in this period", body: "Try a longer date range." }}
      table={() => (
        <ChartTable
          caption="Revenue, bookings and cancellation rate by service"
          columns={[
            { key: SERVICE, label: "Service" },
            { key: "line_revenue", label: "Revenue", numeric: true, format: (v) => formatValue(v, "cents") },
            { key: "service_line_count", label: "Bookings", numeric: true, format: (v) => formatNumber(num(v)) },
            { key: "cancellation_rate", label: "Cancellation rate", numeric: true, format: (v) => formatValue(v, "ratio") },
          ]}
          rows={merged}
        />
      )}
    >
      <div className="grid gap-x-10 gap-y-6 lg:grid-cols-2">
        <div className="min-w-0">
          <h3 className="mb-2 text-body font-semibold text-ink">Revenue by service</h3>
          <BarList
            ariaLabel="Revenue by service"
            linkHint="Open the patients who had this service"
            items={rows.map((row) => ({
              key: String(row[SERVICE]),
              label: String(row[SERVICE]),
              value: num(row.line_revenue),
              display: formatValue(row.line_revenue, "cents", { compact: true }),
              detail: `${formatNumber(num(row.service_line_count))} booked`,
              href: href(row),
            }))}
          />
        </div>
        <div className="min-w-0">
          <h3 className="mb-2 text-body font-semibold text-ink">Cancellation rate by service</h3>
          {cancellations.isError ? (
            <CardError compact error={cancellations.error} onRetry={() => void cancellations.refetch()} />
          ) : cancellations.isPending ? (
            <p className="text-muted">Loading…</p>
          ) : (
            <BarList
              ariaLabel="Cancellation rate by service"
              linkHint="Open the patients who had this service"
              color={colorAt(1)}
              items={cancelRows.map((row) => ({
                key: String(row[SERVICE]),
                label: String(row[SERVICE]),
                value: num(row.cancellation_rate),
                display: formatValue(row.cancellation_rate, "ratio"),
                    href: href(row),
              }))}
            />
          )}
        </div>
      </div>
    </SectionCard>
  );
}
