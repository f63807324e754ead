import { CheckCircle2, ChevronRight } from "lucide-react";
import Link from "next/link";

import { patientsHref } from "@/lib/analytics/links";
import type { Row } from "@/lib/api/types";
import { formatNumber } from "@/lib/format";

export const ISSUES = [
  { measure: "failed_payment_count", label: "Failed payments" },
  { measure: "pending_payment_count", label: "Pending payments" },
  { measure: "unpaid_visit_count", label: "Unpaid visits" },
] as const;

const num = (v: unknown) => (typeof v === "number" ? v : null);

/**
 * Failed and pending payments and unpaid visits. All zero (the client's export has none) is a
 * designed state that says so; otherwise three counts, unpaid visits linking to the patients.
 */
export function PaymentIssues({ row, pending }: { row: Row; pending: boolean }) {
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
  return (
    <ul className="grid grid-cols-3 gap-2" data-testid="payment-issues">
      {ISSUES.map((issue) => {
        const value = num(row[issue.measure]);
        const body = (
          <>
            <span className="text-label text-muted">{issue.label}</span>
            <span className={value ? "text-lg font-semibold tabular-nums text-negative" : "text-lg font-semibold tabular-nums text-ink"}>
              {pending ? "…" : formatNumber(value ?? 0)}
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
  );
}
