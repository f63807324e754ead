"use client";

import { CheckCircle2, ChevronRight } from "lucide-react";
import Link from "next/link";
import { useMemo } from "react";

import { formatValue, type DateRange } from "@/lib/analytics/format";
import { useMetricQuery } from "@/lib/analytics/hooks";
import { exploreHref, owedIn, patientsHref } from "@/lib/analytics/links";
import type { Query, Row } from "@/lib/api/types";
import { formatNumber, plural } from "@/lib/format";
import { countQuery } from "@/components/patients/query";
import { EMPTY_FILTERS } from "@/components/patients/search-params";

export const ISSUES = [
  { measure: "failed_payment_count", label: "Failed payments", status: "failed" },
  { measure: "pending_payment_count", label: "Pending payments", status: "pending" },
  { measure: "unpaid_visit_count", label: "Unpaid visits", status: null },
] as const;
export const ISSUE_MEASURES = [...ISSUES.map((i) => i.measure), "amount_due"];

const num = (v: unknown) => (typeof v === "number" ? v : null);

/** The payments of one status in the range, listed one per row in Explore (as many rows as the count). */
function paymentsHref(status: string, time: NonNullable<Query["time"]>): string {
  return exploreHref({
    dimensions: ["payment.paid_at", "patient.name", "payment.amount", "payment.method", "payment.status", "payment.id"],
    filters: [{ field: "payment.status", op: "equals", value: status }],
    time: { dimension: "payment.paid_at", range: time.range },
    order: [{ field: "payment.paid_at", dir: "desc" }],
  });
}

/**
 * Failed and pending payments and unpaid visits in the period, what those visits owe, and where each leads:
 * the payments themselves (Explore, one row each) and the patients who owe for a visit in the same dates
 * (the patient table, counted here with the same filters it will run, so the numbers agree). All zero is a
 * designed state that says so.
 */
export function PaymentIssues({
  row,
  pending,
  range,
  time,
}: {
  row: Row;
  pending: boolean;
  range: DateRange | null;
  time: NonNullable<Query["time"]>;
}) {
  const owing = range ? owedIn(range) : null;
  const owingPatients = useMetricQuery(
    useMemo<Query | null>(
      () =>
        owing && num(row.unpaid_visit_count)
          ? countQuery("unpaid", { ...EMPTY_FILTERS, ...owing }, "", null)
          : null,
      [owing, row.unpaid_visit_count],
    ),
  );
  const allClear = !pending && ISSUES.every((i) => !num(row[i.measure]));
  if (allClear) {
    return (
      <div className="flex items-start gap-3 rounded-control border border-positive/25 bg-positive-soft px-4 py-3" data-testid="payments-all-clear">
        <CheckCircle2 aria-hidden="true" className="mt-0.5 h-5 w-5 shrink-0 text-positive" />
        <div>
          <p className="font-semibold text-ink">All clear: nothing failed, pending or unpaid</p>
          <p className="text-muted">
            Every visit in this period has a paid payment. Failed or pending payments and unpaid visits will show up here as
            soon as the data has any.
          </p>
        </div>
      </div>
    );
  }
  const patients = owingPatients.data?.total_rows ?? null;
  return (
    <div className="flex flex-col gap-2">
      <ul className="grid grid-cols-1 gap-2 sm:grid-cols-3" data-testid="payment-issues">
        {ISSUES.map((issue) => {
          const value = num(row[issue.measure]);
          const linked = !!value && !pending;
          const href =
            issue.status !== null ? paymentsHref(issue.status, time) : owing ? patientsHref({ view: "unpaid", filters: owing }) : null;
          const body = (
            <>
              <span className="text-label text-muted">{issue.label}</span>
              <span className={value ? "text-lg font-semibold tabular-nums text-negative" : "text-lg font-semibold tabular-nums text-ink"}>
                {pending ? "…" : formatNumber(value ?? 0)}
              </span>
              {linked && issue.status === null ? (
                <span className="text-label text-muted">{formatValue(row.amount_due, "cents")} owed</span>
              ) : null}
            </>
          );
          return (
            <li key={issue.measure} className="min-w-0">
              {linked && href ? (
                <Link
                  href={href}
                  className="flex h-full flex-col rounded-control border border-border px-3 py-2 hover:bg-subtle"
                  data-testid={`issue-${issue.measure}`}
                >
                  {body}
                  <span className="mt-auto flex items-center text-label text-primary">
                    {issue.status !== null
                      ? `See the ${value === 1 ? "payment" : "payments"}`
                      : patients === null
                        ? "Patients"
                        : `${plural(patients, "patient")} owing`}
                    <ChevronRight aria-hidden="true" className="h-3 w-3" />
                  </span>
                </Link>
              ) : (
                <div className="flex h-full flex-col rounded-control border border-border px-3 py-2">{body}</div>
              )}
            </li>
          );
        })}
      </ul>
      {num(row.unpaid_visit_count) ? (
        <p className="text-label text-muted">
          Unpaid: visits in this period with no paid payment (a pending or failed payment pays nothing); one patient can
          have several.
        </p>
      ) : null}
    </div>
  );
}
