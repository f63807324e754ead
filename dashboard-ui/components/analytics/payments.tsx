"use client";

import { CheckCircle2, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";

import { ChartTable } from "@/components/charts/chart-table";
import { Donut } from "@/components/charts/donut";
import { formatValue } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { exploreHref, patientsHref } from "@/lib/analytics/links";
import { hasData } from "@/lib/analytics/pivot";
import { timeOf, type AnalyticsState } from "@/lib/analytics/state";
import type { Query } from "@/lib/api/types";
import { formatEnum, formatNumber } from "@/lib/format";

import { CardError } from "./card-states";
import { SectionCard, statusOf } from "./section-card";

const METHOD = "payment.method";
const ISSUES = [
  { measure: "failed_payment_count", label: "Failed payments" },
  { measure: "pending_payment_count", label: "Pending payments" },
  { measure: "unpaid_visit_count", label: "Unpaid visits" },
] as const;
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
    useMemo<Query>(() => ({ measures: ISSUES.map((i) => i.measure), time: timeOf(state) }), [state]),
  );
  const rows = mix.data?.rows ?? [];
  const issueRow = issues.data?.rows[0] ?? {};
  const status = statusOf([mix], () => !hasData(rows, ["payment_count"]));
  const total = rows.reduce((s, r) => s + (num(r.revenue) ?? 0), 0);
  const allClear = !issues.isPending && !issues.isError && ISSUES.every((i) => !num(issueRow[i.measure]));

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
      <Donut
        ariaLabel={`Donut chart: revenue by payment method, ${rows.map((r) => `${formatEnum(String(r[METHOD]))} ${formatValue(r.revenue, "cents")}`).join(", ")}`}
        centerValue={formatValue(total, "cents", { compact: true })}
        centerLabel="revenue"
        slices={rows.map((row) => ({
          key: String(row[METHOD]),
          label: formatEnum(String(row[METHOD])),
          value: num(row.revenue) ?? 0,
          display: `${formatValue(row.revenue, "cents", { compact: true })} · ${formatNumber(num(row.payment_count))}`,
          href: exploreHref({
            measures: ["revenue", "payment_count", "average_ticket"],
            time: { ...time, grain: "month" },
            filters: [{ field: METHOD, op: "equals", values: [String(row[METHOD])] }],
          } as Query),
        }))}
      />

      <h3 className="mb-2 mt-6 text-body font-semibold text-ink">Failed, pending and unpaid</h3>
      {issues.isError ? (
        <CardError compact error={issues.error} onRetry={() => void issues.refetch()} />
      ) : allClear ? (
        <div className="flex items-start gap-3 rounded-control border border-positive/25 bg-positive-soft px-4 py-3" data-testid="payments-all-clear">
          <CheckCircle2 aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0 text-positive" />
          <div>
            <p className="font-semibold text-ink">All clear: nothing failed, pending or unpaid</p>
            <p className="text-muted">
              Every visit in this period has a paid payment. Failed or pending payments and unpaid visits will show up
              here as soon as the data has any.
            </p>
          </div>
        </div>
      ) : (
        <ul className="grid grid-cols-3 gap-2">
          {ISSUES.map((issue) => {
            const value = num(issueRow[issue.measure]);
            const body = (
              <>
                <span className="text-label text-muted">{issue.label}</span>
                <span className={value ? "text-lg font-semibold tabular-nums text-negative" : "text-lg font-semibold tabular-nums text-ink"}>
                  {issues.isPending ? "…" : formatNumber(value ?? 0)}
                </span>
              </>
            );
            return (
              <li key={issue.measure} className="min-w-0">
                {issue.measure === "unpaid_visit_count" && value ? (
                  <Link href={patientsHref({ view: "unpaid" })} className="flex flex-col rounded-control border border-border px-3 py-2 hover:bg-subtle">
                    {body}
                    <span className="flex items-center text-label text-primary">
                      Patients <ChevronRight aria-hidden="true" className="h-3 w-3" />
                    </span>
                  </Link>
                ) : (
                  <div className="flex flex-col rounded-control border border-border px-3 py-2">{body}</div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </SectionCard>
  );
}
