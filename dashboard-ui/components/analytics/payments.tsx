"use client";

import { useMemo } from "react";

import { ChartTable } from "@/components/charts/chart-table";
import { Donut } from "@/components/charts/donut";
import { formatValue } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { exploreHref } from "@/lib/analytics/links";
import { useValueColors } from "@/lib/analytics/value-colors";
import { hasData } from "@/lib/analytics/pivot";
import { timeOf, type AnalyticsState } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";
import { formatEnum, formatNumber } from "@/lib/format";

import { CardError } from "./card-states";
import { ISSUE_MEASURES, PaymentIssues } from "./payment-issues";
import { SectionCard, statusOf } from "./section-card";

const METHOD = "payment.method";
const num = (v: unknown) => (typeof v === "number" ? v : null);

/** Payment method mix, and failed / pending / unpaid with a designed all-clear state. */
export function Payments({ state }: { state: AnalyticsState }) {
  const time = timeOf(state);
  const mix = useMetricQuery(
    useMemo<Query>(
      () => ({ measures: ["revenue", "payment_count"], dimensions: [METHOD], time: timeOf(state), order: [{ field: "revenue", dir: "desc" }] }),
      [state],
    ),
  );
  const issues = useMetricQuery(
    useMemo<Query>(() => ({ measures: ISSUE_MEASURES, time: timeOf(state) }), [state]),
  );
  const rows = mix.data?.rows ?? [];
  const methodColor = useValueColors(METHOD);
  const status = statusOf([mix], () => !hasData(rows, ["payment_count"]));
  const total = rows.reduce((s, r) => s + (num(r.revenue) ?? 0), 0);

  return (
    <SectionCard
      id="payments"
      title="Payments"
      description="How patients pay, by share of revenue, and anything that did not go through."
      queries={[mix]}
      status={status}
      empty={{ title: "No payments in this period", body: "No paid payment falls in the selected dates." }}
      table={() => (
        <ChartTable
          caption="Revenue and payments by method"
          columns={[
            { key: METHOD, label: "Method", format: (v) => formatEnum(String(v ?? "")) },
            { key: "payment_count", label: "Payments", numeric: true, format: (v) => formatNumber(num(v)) },
            { key: "revenue", label: "Revenue", numeric: true, format: (v) => formatValue(v, "cents") },
          ]}
          rows={rows}
        />
      )}
    >
      <div className="grid items-start gap-x-10 gap-y-6 lg:grid-cols-2">
        <Donut
          ariaLabel={`Donut chart: revenue by payment method, ${rows.map((r) => `${formatEnum(String(r[METHOD]))} ${formatValue(r.revenue, "cents")}`).join(", ")}`}
          centerValue={formatValue(total, "cents", { compact: true })}
          centerLabel="revenue"
          slices={rows.map((row) => ({
            key: String(row[METHOD]),
            label: formatEnum(String(row[METHOD])),
            value: num(row.revenue) ?? 0,
            display: formatValue(row.revenue, "cents", { compact: true }),
            detail: `${formatNumber(num(row.payment_count))} payments`,
            color: methodColor(String(row[METHOD])),
            href: exploreHref({
              measures: ["revenue", "payment_count", "average_ticket"],
              time: { ...time, grain: "month" },
              filters: [{ field: METHOD, op: "equals", value: String(row[METHOD]) }],
            } as Query),
          }))}
        />
        <div className="min-w-0">
          <h3 className="mb-2 text-body font-semibold text-ink">Failed, pending and unpaid</h3>
          {issues.isError ? (
            <CardError compact error={issues.error} onRetry={() => void issues.refetch()} />
          ) : (
            <PaymentIssues
              row={issues.data?.rows[0] ?? {}}
              pending={issues.isPending}
              range={issues.data?.meta.range ?? null}
              time={time}
            />
          )}
        </div>
      </div>
    </SectionCard>
  );
}
