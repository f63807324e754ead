"use client";

import { ArrowRight, Sparkles, UserMinus } from "lucide-react";
import Link from "next/link";
import { useMemo, useState, type ReactNode } from "react";

import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/select";
import { dueHref, dueQuery, lapsedHref, lapsedQuery, REPEAT_INTERVALS } from "@/lib/analytics/action-lists";
import { useMetricQuery } from "@/lib/analytics/hooks";
import type { Row } from "@/lib/api/types";
import { formatMoney, formatRelative, plural } from "@/lib/format";

import { SectionCard, statusOf } from "./section-card";

function PatientList({ rows, asOf }: { rows: Row[]; asOf: string | null }) {
  return (
    <ol className="flex flex-col divide-y divide-border">
      {rows.map((row, i) => (
        <li key={String(row["patient.id"])} className="flex items-center gap-3 py-2.5">
          <span className="w-5 shrink-0 text-right text-label tabular-nums text-muted">{i + 1}</span>
          <div className="min-w-0 flex-1">
            <Link
              href={`/patients/${encodeURIComponent(String(row["patient.id"]))}`}
              className="block truncate font-medium text-ink hover:text-primary hover:underline"
            >
              {String(row["patient.name"] ?? "Unnamed patient")}
            </Link>
            <span className="block truncate text-label text-muted">
              Last visit {formatRelative(row["patient.last_visit_at"] as string | null, asOf)}
              {row["patient.last_visit_service"] ? ` · ${String(row["patient.last_visit_service"])}` : ""}
            </span>
          </div>
          <span className="shrink-0 text-right">
            <span className="block font-semibold tabular-nums text-ink">{formatMoney(row["patient.lifetime_spend"] as number, { whole: true })}</span>
            <span className="block text-label text-muted">lifetime</span>
          </span>
        </li>
      ))}
    </ol>
  );
}

function SeeAll({ href, children, testId }: { href: string; children: ReactNode; testId: string }) {
  return (
    <Button asChild variant="link" className="gap-1">
      <Link href={href} data-testid={testId}>
        {children}
        <ArrowRight aria-hidden="true" className="h-3.5 w-3.5" />
      </Link>
    </Button>
  );
}

/** Lapsed patients worth winning back, ranked by lifetime spend. */
export function LapsedList({ asOf }: { asOf: string | null }) {
  const result = useMetricQuery(useMemo(() => (asOf ? lapsedQuery(asOf) : null), [asOf]), { keepPrevious: false });
  const rows = result.data?.rows ?? [];
  const total = result.data?.total_rows ?? 0;
  const status = !asOf ? "loading" : statusOf([result], () => rows.length === 0);
  return (
    <SectionCard
      id="lapsed"
      title="Win back: lapsed patients"
      description="No visit in the last 90 days and nothing booked, highest lifetime spend first."
      queries={[result]}
      status={status}
      skeleton="list"
      skeletonHeight={260}
      empty={{ title: "No lapsed patients", body: "Everyone seen before has visited in the last 90 days or has something booked.", icon: <UserMinus aria-hidden="true" className="h-4 w-4" /> }}
      footer={<SeeAll href={lapsedHref()} testId="lapsed-see-all">See all {plural(total, "lapsed patient")}</SeeAll>}
    >
      <PatientList rows={rows} asOf={asOf} />
    </SectionCard>
  );
}

/** Patients due for a repeat of a treatment (e.g. Botox after 90 days) with nothing booked. */
export function DueList({ asOf }: { asOf: string | null }) {
  const [service, setService] = useState(REPEAT_INTERVALS[0]!.service);
  const days = REPEAT_INTERVALS.find((r) => r.service === service)?.days ?? 90;
  const result = useMetricQuery(useMemo(() => (asOf ? dueQuery(service, days, asOf) : null), [asOf, service, days]), { keepPrevious: false });
  const rows = result.data?.rows ?? [];
  const total = result.data?.total_rows ?? 0;
  const status = !asOf ? "loading" : statusOf([result], () => rows.length === 0);
  return (
    <SectionCard
      id="due"
      title="Due for a repeat"
      description={`Had ${service}, no visit for ${days}+ days, nothing booked. Highest lifetime spend first.`}
      queries={[result]}
      status={status}
      skeleton="list"
      skeletonHeight={260}
      actions={
        <label>
          <span className="sr-only">Treatment</span>
          <Select value={service} onChange={(e) => setService(e.target.value)} className="h-8 rounded-full text-label" data-testid="due-service">
            {REPEAT_INTERVALS.map((r) => (
              <option key={r.service} value={r.service}>
                {r.service} · {r.days} days
              </option>
            ))}
          </Select>
        </label>
      }
      empty={{
        title: `No one is due for ${service}`,
        body: `Everyone who had ${service} has visited in the last ${days} days or has something booked.`,
        icon: <Sparkles aria-hidden="true" className="h-4 w-4" />,
      }}
      footer={
        asOf ? (
          <SeeAll href={dueHref(service, days, asOf)} testId="due-see-all">
            See all {plural(total, "patient")}
          </SeeAll>
        ) : null
      }
    >
      <PatientList rows={rows} asOf={asOf} />
    </SectionCard>
  );
}
